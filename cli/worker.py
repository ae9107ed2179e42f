"""``newsstream worker``: create the topics (or check them, ``NEWSSTREAM_CREATE_TOPICS=false``),
wire every agent, run the Faust worker."""

from __future__ import annotations

import sys

import faust

from agents import grouping_agent, health, prepare_agent
from agents.pipeline import Pipeline
from agents.publish import PublishOptions
from cli.logs import logging_config
from deploy.topics import TopicLayoutError, TopicsMissingError, ensure_topics
from streams.app import create_app, create_channels
from streams.settings import Settings, unknown_variables
from streams.topics import worker_specs


def build(settings: Settings) -> faust.App:
    """The Faust app with all agents registered."""
    app = create_app(settings)
    channels = create_channels(app)
    pipeline = Pipeline.from_settings(settings)  # one pipeline, its models loaded once
    prepare_agent.wire(
        app,
        channels,
        pipeline,
        settings.partitions,
        batch=settings.prepare_batch,
        batch_seconds=settings.prepare_batch_ms / 1000,
    )
    grouping_agent.wire(
        app,
        channels,
        pipeline,
        batch=settings.group_batch,
        batch_seconds=settings.group_batch_ms / 1000,
        publishing=PublishOptions.from_settings(settings),
    )
    health.wire(app, settings.stall_seconds)
    return app


def run(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM."""
    from faust.worker import Worker

    for var in unknown_variables():  # a typo must not go unnoticed
        print(f"warning: {var} is not a newsstream setting (a typo?); ignored", file=sys.stderr)

    specs = worker_specs(settings.app_id, settings.partitions)
    try:
        ensure_topics(
            settings.broker,
            specs,
            settings.replication_factor,
            settings=settings,
            create=settings.create_topics,
        )
    except (TopicLayoutError, TopicsMissingError) as exc:
        raise SystemExit(f"newsstream worker: {exc}") from None
    app = build(settings)
    config = logging_config(settings.log_level) if settings.log_json else None
    Worker(app, loglevel=settings.log_level, logging_config=config).execute_from_commandline()
