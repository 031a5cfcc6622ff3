"""Analysis on plain data (tables and arrays from results folders), never on a live model."""
