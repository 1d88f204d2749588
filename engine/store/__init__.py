"""DuckDB storage: the tables derived from a project, their migration, the connection."""
