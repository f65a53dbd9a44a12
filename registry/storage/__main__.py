"""``python -m registry.storage``: migrations by hand, without an alembic.ini.

    python -m registry.storage current
    python -m registry.storage upgrade [REVISION]
    python -m registry.storage downgrade REVISION
    python -m registry.storage revision -m "add x" [--autogenerate]

The database is ``DATABASE_URL``, else ``$PCFREG_DATA_DIR/pcfreg.db`` (default ``./pcfreg-data``).
``revision`` writes into the checkout's ``alembic/versions``; review what it generates (SQLite
needs ``batch_alter_table`` for most changes) before committing it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import alembic.command

from registry.errors import RegistryError
from registry.storage.db import alembic_config, current_revision, downgrade, make_engine, migrate
from registry.storage.settings import StorageSettings, database_url_for


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m registry.storage", description="pcf-registry schema migrations")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("current", help="print the database's revision")
    up = sub.add_parser("upgrade", help="upgrade to REVISION (default head)")
    up.add_argument("revision", nargs="?", default="head")
    down = sub.add_parser("downgrade", help="downgrade to REVISION (base drops everything)")
    down.add_argument("revision")
    rev = sub.add_parser("revision", help="create a new revision file")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true", help="diff the models against the database")
    args = parser.parse_args(argv)

    engine = make_engine(database_url_for(StorageSettings.from_env()))
    try:
        if args.command == "current":
            print(current_revision(engine) or "(empty database)")
        elif args.command == "upgrade":
            migrate(engine, args.revision)
        elif args.command == "downgrade":
            downgrade(engine, args.revision)
        else:
            with engine.begin() as conn:
                alembic.command.revision(alembic_config(conn), message=args.message, autogenerate=args.autogenerate)
    except RegistryError as e:
        print(f"pcfreg storage: {e}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
