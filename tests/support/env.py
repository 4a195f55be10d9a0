"""The environment a subprocess (worker, gunicorn) needs to run with the test settings."""

from __future__ import annotations

import os
import sys

from app.config import REPO_ROOT, Settings

VENV_BIN = os.path.dirname(sys.executable)


def environment_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = {
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": str(REPO_ROOT),
        "APP_ENV": settings.env,
        "SECRET_KEY": settings.secret_key,
        "APP_URL": settings.app_url,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "TOKEN_ENCRYPTION_KEYS": ",".join(settings.token_encryption_keys),
        "SHOPIFY_API_KEY": settings.shopify_api_key,
        "SHOPIFY_API_SECRET": settings.shopify_api_secret,
        "SHOPIFY_SHARED_DIR": settings.shopify_shared_dir,
        "SHOPIFY_API_BASE_URL": settings.shopify_api_base_url,
        "JOB_MONITORING_INTERVAL": str(settings.job_monitoring_interval),
        "JOB_HEARTBEAT_GRACE": str(settings.job_heartbeat_grace),
        "WORKER_MAINTENANCE_INTERVAL": str(settings.worker_maintenance_interval),
        "LOG_LEVEL": settings.log_level,
    }
    env.update(extra)
    return env
