-- Lab events get their experiment as a column (the researcher's console reads one study's
-- events at a time: its export, its results on the server): `experiment` is the stored
-- event's JSON `experiment` string, '' when it has none (or a value that is not a string:
-- lab events are research data of any shape). New events get it from the posted event;
-- the events stored before are filled in from their JSON here. An escaped NUL (`\u0000`,
-- which the server no longer takes) cannot be text in PostgreSQL, and the JSON functions
-- refuse a document holding one anywhere: it is read as U+FFFD (`\ufffd`), so that such
-- an event still gets its experiment.
ALTER TABLE lab_events ADD COLUMN experiment TEXT NOT NULL DEFAULT '';
WITH found AS (
    SELECT id, replace(body, '\u0000', '\ufffd')::json -> 'experiment' AS value
    FROM lab_events
)
UPDATE lab_events SET experiment = found.value #>> '{}'
FROM found
WHERE found.id = lab_events.id AND json_typeof(found.value) = 'string';
CREATE INDEX lab_events_by_experiment ON lab_events (experiment, id);
