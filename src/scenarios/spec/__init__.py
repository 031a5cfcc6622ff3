"""Declarations: the lever/driver/parameter registries, outcomes, scenario types and their loader.

Everything else reads these; nothing here imports the model or anything above it.
"""
