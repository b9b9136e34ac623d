//! A running deployment: links, ingest, archive writer, live hub, replay.
