"""Imported only by the batch's forkserver (multiprocessing's preload): the server imports the
extractor once for the workers it forks, and dies with the batch's main process, so that a
killed batch leaves no server behind (its workers die with it, see workflow.batch._worker_init)."""

from extractor import pipeline  # noqa: F401 (the import every worker is forked with)
from workflow.limits import die_with_parent

die_with_parent()
