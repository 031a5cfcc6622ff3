"""Rendering plain tables into reports: comparison, exploration and the generated docs tables."""
