"""Wiring: builds the services, hands them to the main window, runs Qt and asyncio as one loop."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from workstation.accounts import AccountService
from workstation.logsetup import configure_logging
from workstation.paths import DataPaths, default_data_dir
from workstation.secrets import SecretStore, use_volatile_keyring
from workstation.store.worker import StoreWorker

log = logging.getLogger(__name__)
STARTED = time.monotonic()


@dataclass
class Services:
    """What the UI may use. Services never import the UI."""

    paths: DataPaths
    store: StoreWorker
    secrets: SecretStore
    accounts: AccountService
    demo: bool = False
    extras: dict = field(default_factory=dict)
    hub: object | None = None  # workstation.sync.SyncHub; the main window starts and stops it

    @classmethod
    def build(cls, data_dir: Path, *, demo: bool = False) -> "Services":
        paths = DataPaths(data_dir)
        store = StoreWorker(paths.database)
        secrets = SecretStore()
        services = cls(paths=paths, store=store, secrets=secrets, accounts=AccountService(store, secrets), demo=demo)
        services.hub = services.build_hub()
        return services

    def build_hub(self):
        """The sync engine over this store; nothing connects until `hub.start(accounts)`."""
        from workstation.sync import SyncHub

        return SyncHub(self.store, secrets=self.secrets)

    async def start(self) -> None:
        """Open the database (raises StoreError) and, in demo mode, prepare the demo shops."""
        await self.store.open()
        if self.demo:
            from workstation.demo import seed_demo_accounts

            await seed_demo_accounts(self)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.store.close)


def run_gui(args) -> int:
    data_dir = args.data_dir or default_data_dir(demo=args.demo)
    paths = DataPaths(Path(data_dir))
    log_file = configure_logging(paths.log_file, verbose=args.verbose)
    log.info("starting Workstation, data dir %s, demo=%s", paths.root, args.demo)
    if args.demo:
        # Demo accounts belong to the local emulator and are re-created each start:
        # their throwaway secrets stay in this process's memory, never on disk.
        use_volatile_keyring()

    import qasync

    from workstation.ui.application import create_application

    app = create_application(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    services = Services.build(paths.root, demo=args.demo)
    with loop:
        from workstation.ui.shell import Shell

        shell = Shell(app, services, log_file=log_file, screenshot=args.screenshot, started=STARTED)
        exit_code = loop.run_until_complete(shell.run())
    log.info("Workstation exited with %s", exit_code)
    return exit_code
