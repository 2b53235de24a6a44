"""Bounds on one extraction in a process: a time limit, a memory limit, and death with the
parent (so that a killed batch or service leaves no worker behind). POSIX; where a call is
missing (another OS) the bound is skipped, never faked."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from parsers.errors import ExtractionError

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class Expired(BaseException):
    """The time of one file ran out. Not an Exception, so that no `except Exception` in a
    parser turns it into another error or swallows it."""


def timeout_error(seconds: float | None) -> ExtractionError:
    return ExtractionError("timeout", f"обработка не закончилась за {seconds or 0:g} с")


def memory_error(limit_mb: int | None) -> ExtractionError:
    return ExtractionError("too_large", f"файлу не хватило памяти: предел {limit_mb or 0} МБ на файл")


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """The contract's `timeout` error when the block runs longer than `seconds` (where the OS
    has SIGALRM; in the main thread only). Inside the block the time-out travels as Expired,
    past parser handlers."""
    if not seconds or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Expired:
        raise timeout_error(seconds) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def limit_memory(limit_mb: int | None) -> None:
    """Cap this process's address space: an allocation past it raises MemoryError (reported
    as `too_large` for the file) instead of the machine's memory killer ending the run."""
    if not limit_mb:
        return
    try:
        import resource
    except ImportError:
        return
    limit = limit_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux prctl PR_SET_PDEATHSIG);
    checked once after, since the parent may already be gone."""
    if not sys.platform.startswith("linux"):
        return
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    parent = os.getppid()
    libc = ctypes.CDLL(libc_name, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


__all__ = ["Expired", "deadline", "die_with_parent", "limit_memory", "memory_error", "timeout_error"]
