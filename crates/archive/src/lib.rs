//! The archive of one deployment (SQLite): raw units, parameter segments, events, alarms, commands.
