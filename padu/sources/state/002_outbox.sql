-- Writes that span sources: each mutation is logged (with the effects it owes other sources)
-- before its owning write; once that write commits, the effects enter the outbox and wait
-- there until delivered (idempotently, by effect key).
CREATE TABLE IF NOT EXISTS mutation_log (
    key             text PRIMARY KEY,     -- the caller's clientMutationId (scoped), or generated
    mutation        text NOT NULL,
    actor_role      text NOT NULL,
    actor           text,
    owning_source   text NOT NULL,
    subject         text NOT NULL,        -- what it changed, e.g. serviceRequest:42
    effects         jsonb NOT NULL,       -- what it owes other sources once committed
    status          text NOT NULL CHECK (status IN ('started', 'committed', 'aborted')),
    result          jsonb,                -- the first answer, replayed for the same key
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX IF NOT EXISTS mutation_log_started_idx ON mutation_log (created_at)
    WHERE status = 'started';

CREATE TABLE IF NOT EXISTS outbox (
    id              bigserial PRIMARY KEY,
    effect_key      text NOT NULL UNIQUE,  -- the write's key in its target (padu_tulisan)
    mutation_key    text NOT NULL REFERENCES mutation_log (key),
    subject         text NOT NULL,
    target          text NOT NULL,         -- the source it is delivered to
    kind            text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'delivered')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS outbox_subject_idx ON outbox (subject);
