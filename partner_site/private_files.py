"""Files only the site's own user may read: the SQLite database and its WAL, backups, the secret key."""
import os
import secrets
import stat
import tempfile

PRIVATE = 0o600


def private_folder(path: str) -> str:
    """Create a folder only its owner may enter (an existing one is left as it is); return it."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def private_file(path: str) -> str:
    """Create an empty file readable by its owner only, or make an existing one so; return its path.

    SQLite gives its -wal and -shm files the database file's permissions, so a database file
    created here first keeps all three private.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
            os.chmod(path, PRIVATE)
    return path


def instance_secret(instance_path: str, name: str = "secret_key") -> str:
    """Return the random key kept in the instance folder, created once (atomically) on first use.

    Several workers may start at once: the key is written to a temporary file and linked into
    place, so every worker reads the same complete key whichever wins.
    """
    path = os.path.join(private_folder(instance_path), name)
    if not os.path.exists(path):
        fd, tmp = tempfile.mkstemp(dir=instance_path, prefix=f".{name}-")  # created 0600
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    with open(path) as fh:
        return fh.read().strip()
