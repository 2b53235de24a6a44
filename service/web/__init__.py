"""The service's web page in Russian (`/`): upload, batch progress, a plan's table with its
source pages, hints and re-run, downloads. Server-rendered Jinja2 and a little plain JavaScript;
every file is shipped in this package (no external assets)."""
