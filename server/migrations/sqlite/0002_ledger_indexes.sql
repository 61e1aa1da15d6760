-- Nothing in the server looks the ledger up by packet, and the index cost every claim a
-- page write (audits scan, or add their own index).
DROP INDEX IF EXISTS ledger_by_packet;
