-- vramplan schema, version 3, for fleets of hundreds of thousands of cells.
-- A cell's decision trail is stored with the cell, as one JSON array of
-- [kind, precision, resolution_px, seq_len_tokens, batch_size, device_bytes, rule_name, reason] entries (rule_name
-- and reason may be numbers of plan_text rows), so a run of 200,000 cells writes 200,000 rows instead of millions.
-- Runs stored before version 3 keep their trails in plan_decision, which is still read.
ALTER TABLE plan_cell ADD COLUMN trail VARCHAR(1000000);
-- A large run is written in several transactions (one huge transaction makes H2's commit rewrite every row) and
-- becomes visible when its last one marks it complete; a run that failed or was killed is never shown and is
-- removed by the next run. Runs stored before version 3 were written in one transaction: complete.
ALTER TABLE plan_run ADD COLUMN complete BOOLEAN DEFAULT TRUE NOT NULL;
-- Texts that recur in the trails of a run (rule names, and the reasons of settings and of refused precisions,
-- which are the same for many cells) are stored once per run; a trail refers to them by number.
CREATE TABLE plan_text (
    run_id BIGINT NOT NULL REFERENCES plan_run (id),
    id     INTEGER NOT NULL,
    text   VARCHAR(4000) NOT NULL,
    PRIMARY KEY (run_id, id)
);
