-- e-learning (Moodle-like): users keyed by their own id, NIP kept in idnumber;
-- times are Unix epoch seconds as in Moodle; course JP and "mandatory" are custom fields.
CREATE TABLE IF NOT EXISTS mdl_user (
    id          bigserial PRIMARY KEY,
    username    varchar(100) NOT NULL UNIQUE,
    firstname   varchar(100) NOT NULL,
    lastname    varchar(100) NOT NULL,
    email       varchar(100) NOT NULL,
    idnumber    varchar(255) NOT NULL DEFAULT '',
    deleted     smallint NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS mdl_user_idnumber_idx ON mdl_user (idnumber);

CREATE TABLE IF NOT EXISTS mdl_course (
    id          bigserial PRIMARY KEY,
    fullname    varchar(254) NOT NULL,
    shortname   varchar(255) NOT NULL UNIQUE,
    summary     text,
    visible     smallint NOT NULL DEFAULT 1,
    startdate   bigint NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS mdl_customfield_field (
    id          bigserial PRIMARY KEY,
    shortname   varchar(100) NOT NULL UNIQUE,
    name        text NOT NULL,
    type        varchar(100) NOT NULL
);

CREATE TABLE IF NOT EXISTS mdl_customfield_data (
    id          bigserial PRIMARY KEY,
    fieldid     bigint NOT NULL REFERENCES mdl_customfield_field (id),
    instanceid  bigint NOT NULL,   -- course id
    intvalue    bigint,
    value       text NOT NULL DEFAULT '',
    UNIQUE (fieldid, instanceid)
);

CREATE TABLE IF NOT EXISTS mdl_enrol (
    id          bigserial PRIMARY KEY,
    enrol       varchar(20) NOT NULL,
    courseid    bigint NOT NULL REFERENCES mdl_course (id),
    UNIQUE (enrol, courseid)
);

CREATE TABLE IF NOT EXISTS mdl_user_enrolments (
    id          bigserial PRIMARY KEY,
    enrolid     bigint NOT NULL REFERENCES mdl_enrol (id),
    userid      bigint NOT NULL REFERENCES mdl_user (id),
    timecreated bigint NOT NULL,
    UNIQUE (enrolid, userid)
);
CREATE INDEX IF NOT EXISTS mdl_user_enrolments_user_idx ON mdl_user_enrolments (userid);

CREATE TABLE IF NOT EXISTS mdl_course_completions (
    id              bigserial PRIMARY KEY,
    userid          bigint NOT NULL REFERENCES mdl_user (id),
    course          bigint NOT NULL REFERENCES mdl_course (id),
    timeenrolled    bigint NOT NULL DEFAULT 0,
    timestarted     bigint NOT NULL DEFAULT 0,
    timecompleted   bigint,
    UNIQUE (userid, course)
);

-- Writes made here by Padu, by idempotency key, committed in the same transaction as the
-- write itself: a retried write finds its key and does nothing (exactly-once effects).
CREATE TABLE IF NOT EXISTS padu_tulisan (
    kunci           varchar(200) PRIMARY KEY,
    waktu           timestamptz NOT NULL DEFAULT now()
);
