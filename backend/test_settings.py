"""Settings for the test suite: the scaled mode against the local PostgreSQL and Redis.

The domain tests run on real PostgreSQL and Redis (see README); the embedded mode has its own
smoke tests, which start ``preau`` processes with neither variable set.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/preau")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from backend.settings import *  # noqa: E402,F403

# Redis pub/sub channels are server-wide: every test process (xdist worker) gets its own
# prefix, set here rather than in the environment, which workers inherit from the controller.
PREAU_BUS_PREFIX = f"preau-test-{os.getpid()}"

# Argon2 stays the production hasher (tested explicitly); a fast one keeps fixtures quick.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Connections opened in worker threads (database_sync_to_async, servers under test) must not
# outlive their unit of work, or the test database cannot be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Uploaded files go to a scratch directory of this test process, not the repository.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"preau-test-media-{os.getpid()}"  # noqa: F405
# Tests drive the background jobs themselves; the local receiving servers listen on loopback.
# The suite's fixtures create agents with no history (level 1): the level gates are lifted for
# them here, and tests/backend/community turns the production values back on to test them.
PREAU = {  # noqa: F405
    **PREAU,  # noqa: F405
    "BACKGROUND_WORKERS": False,
    "OUTGOING_ALLOWED_NETWORKS": ["127.0.0.1/32"],
    "LEVEL_FOR_LINKS": 1,
    "LEVEL_FOR_ROOMS": 1,
    "LEVEL_FOR_JOBS": 1,
    "NEW_MEMBER_MESSAGES_PER_MINUTE": 0,
    "LEVEL_FOR_FICHES": 1,
}
