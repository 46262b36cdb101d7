-- vramplan schema, version 4: a plan may use several cards of its type. gpus is how many (the cell's memory is per
-- GPU), strategy how the job spreads over them (single, ddp, zero1, zero2, zero3, tp), offload what it keeps in CPU
-- memory (none, optimizer, optimizer+params), and max_concurrent_sequences what a vLLM workload's KV-cache pool holds.
-- Runs stored before version 4 have nulls here: a feasible one planned one card, single, without offload.
ALTER TABLE plan_cell ADD COLUMN gpus INTEGER;
ALTER TABLE plan_cell ADD COLUMN strategy VARCHAR(16);
ALTER TABLE plan_cell ADD COLUMN offload VARCHAR(24);
ALTER TABLE plan_cell ADD COLUMN max_concurrent_sequences INTEGER;
