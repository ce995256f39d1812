-- What each clientMutationId was first used for: SHA-256 of the mutation's canonical input
-- (its target ids included). A replay with the same key and another fingerprint is refused
-- (IDEMPOTENCY_KEY_REUSED) instead of answering with the first, unrelated result.
-- Mutations logged before this column existed keep NULL and replay as before.
ALTER TABLE mutation_log ADD COLUMN IF NOT EXISTS fingerprint text;
