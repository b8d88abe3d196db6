"""What every benchmark report states about the machine it ran on (it is shared and noisy)."""

import os
import platform
import time
from pathlib import Path


def machine_facts() -> dict:
    """CPUs, RAM, PostgreSQL version and settings, Python, load and time; Django must be set up."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    meminfo = Path("/proc/meminfo").read_text().split()
    ram_gb = int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024 / 1024
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(ram_gb, 1),
        "postgresql": pg,
        "work_mem": work_mem,
        "python": platform.python_version(),
        "load_avg_at_start": round(os.getloadavg()[0], 2),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
