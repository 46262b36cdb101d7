-- vramplan schema, version 3: a cell's decision trail is stored with the cell, as one JSON array of
-- [kind, precision, resolution_px, seq_len_tokens, batch_size, device_bytes, rule_name, reason] entries, so a run
-- of 200,000 cells writes 200,000 rows instead of millions. Runs stored before version 3 keep their trails in
-- plan_decision, which is still read.
ALTER TABLE plan_cell ADD COLUMN trail VARCHAR(1000000);
