"""The classroom and explorer web app (FastAPI, server-rendered pages, charts drawn as SVG by its own script)."""
