"""Feeds: where release names come from (files now, live sources later)."""

from leaktrace.feeds.item import FeedItem
from leaktrace.feeds.jsonl import item_from_row, read_feed
from leaktrace.feeds.timeparse import parse_time

__all__ = ["FeedItem", "item_from_row", "parse_time", "read_feed"]
