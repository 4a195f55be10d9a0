"""`python -m app <command>`: commands that report configuration errors in one line."""

from __future__ import annotations

import sys

import click

from app.config import ConfigError


@click.group()
def main() -> None:
    """Stockout Concierge operator commands."""


@main.command()
def check() -> None:
    """Validate the configuration and reach the database and Redis."""
    from app import create_app
    from app.health import _check_database, _check_redis

    app = create_app()
    with app.app_context():
        results = {"database": _check_database(), "redis": _check_redis()}
    for name, result in results.items():
        click.echo(f"{name}: {result}")
    if any(result != "ok" for result in results.values()):
        raise SystemExit(1)


@main.command()
@click.option("--queues", "queue_names", default="webhooks,notifications,default,low", show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--simple/--fork", default=True, show_default=True,
              help="Run jobs in-process (measured 3x the jobs/s: bench/worker_class.py) or fork a work-horse per job.")
@click.option("--no-scheduler", is_flag=True, help="Do not run RQ's scheduler in this worker.")
@click.option("--name", default=None)
def worker(queue_names: str, burst: bool, simple: bool, no_scheduler: bool, name: str | None) -> None:
    """Run an RQ worker (with the scheduler) on the app's queues, highest priority first."""
    from app import create_app
    from jobs.worker import make_worker

    app = create_app()
    rq_worker = make_worker(app, simple=simple, queue_names=tuple(queue_names.split(",")), name=name)
    if not burst:
        _seed_periodic_jobs(app)
    rq_worker.work(burst=burst, with_scheduler=not no_scheduler)


def _seed_periodic_jobs(app) -> None:
    """Start the periodic chains (sweeper, reconciliation, …) with the worker (made once Redis answers); should
    Redis go away just then, the worker seeds them when it answers again (jobs/worker.py)."""
    from redis.exceptions import RedisError

    from jobs.schedule import ensure_periodic_jobs

    with app.app_context():
        try:
            ensure_periodic_jobs()
        except RedisError as error:
            click.echo(f"periodic jobs not seeded yet (Redis: {error}); the first drain or tick will", err=True)


@main.command()
@click.argument("revision", default="head")
def migrate(revision: str) -> None:
    """Upgrade the database to a revision (the release step)."""
    from app.config import settings_from_env
    from app.migrations import upgrade

    upgrade(settings_from_env().database_url, revision)


@main.command("replay-events")
@click.option("--shop", "shop_domain", default=None, help="Only this shop (its myshopify domain).")
@click.option("--topic", default=None, help="Only this webhook topic, e.g. orders/create.")
@click.option("--event-id", default=None, help="Only this event (its X-Shopify-Event-Id).")
def replay_events(shop_domain: str | None, topic: str | None, event_id: str | None) -> None:
    """Run webhook events parked as failed again, now, and print what became of each."""
    from app import create_app
    from jobs.events import replay_events as replay

    with create_app().app_context():
        results = replay(shop_domain=shop_domain, topic=topic, event_id=event_id)
    for key, status in results:
        click.echo(f"{key}: {status}")
    click.echo(f"{len(results)} event(s) replayed, {sum(s != 'processed' for _, s in results)} not processed")
    if any(status == "failed" for _, status in results):
        raise SystemExit(1)


def run() -> None:
    try:
        main(standalone_mode=True)
    except ConfigError as error:
        click.echo(f"configuration error: {error}", err=True)
        raise SystemExit(2)


if __name__ == "__main__":
    run()
