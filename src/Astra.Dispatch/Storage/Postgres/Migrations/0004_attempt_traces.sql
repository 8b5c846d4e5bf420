-- Web console (issue 23): the trace each attempt ran in, so a delivery's timeline links to the trace viewer.
ALTER TABLE attempts ADD COLUMN trace_id TEXT;
