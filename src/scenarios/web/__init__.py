"""The classroom and explorer web app (FastAPI, server-rendered pages, Plotly served locally)."""
