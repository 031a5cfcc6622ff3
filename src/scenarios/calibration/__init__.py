"""Calibration: targets as data, uniform priors, ABC-SMC, posterior files and the calibration report.

- :mod:`.targets`: the targets of ``spec/data/targets.yaml`` and their statistics and distance.
- :mod:`.prior`: uniform priors on the declared parameter ranges.
- :mod:`.abc`: the ABC-SMC algorithm (population Monte Carlo), reproducible for any worker count.
- :mod:`.posterior`: ``posterior.parquet`` read and written, and the draws of posterior ensembles.
- :mod:`.fit`: a calibration run of the model, saved per generation and resumable.
- :mod:`.report`: ``report.html`` of a calibration.
"""
