-- Lab events get their experiment as a column (the researcher's console reads one study's
-- events at a time: its export, its results on the server): `experiment` is the stored
-- event's JSON `experiment` string, '' when it has none (or a value that is not a string:
-- lab events are research data of any shape). New events get it from the posted event;
-- the events stored before are filled in from their JSON here (an escaped NUL, `\u0000`,
-- which the server no longer takes and PostgreSQL's text cannot hold, as U+FFFD, as in
-- PostgreSQL's migration).
ALTER TABLE lab_events ADD COLUMN experiment TEXT NOT NULL DEFAULT '';
UPDATE lab_events
SET experiment = json_extract(replace(body, '\u0000', '\ufffd'), '$.experiment')
WHERE json_valid(body) AND json_type(body, '$.experiment') = 'text';
CREATE INDEX lab_events_by_experiment ON lab_events (experiment, id);
