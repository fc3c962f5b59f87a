-- The same tables as constraints_and_names.py, written by hand in the styles teams use.
CREATE TYPE role AS ENUM ('CANDIDATE', 'ADMIN');
CREATE TYPE "Status" AS ENUM ('active', 'blocked');
CREATE TYPE jobkind AS ENUM ('FULL_TIME', 'PART_TIME');
create table companies (
  id varchar primary key,
  name varchar(100) not null,
  kind varchar(20) default 'basic'::character varying not null
);
CREATE TABLE "Users" (
  "Id" SERIAL PRIMARY KEY,
  "EmailAddress" VARCHAR(255) NOT NULL,
  "select" integer,
  role role NOT NULL DEFAULT 'CANDIDATE',
  status "Status" NOT NULL DEFAULT 'active'::"Status",
  kinds jobkind[],
  handle varchar(40),
  company_id varchar REFERENCES companies ON DELETE NO ACTION ON UPDATE NO ACTION,
  CONSTRAINT "UQ_Users_Email" UNIQUE ("EmailAddress")
);
CREATE INDEX "IX_Users_Select" ON "Users" ("select");
CREATE INDEX "ix_Users_role" ON "Users" USING btree (role ASC NULLS LAST);
CREATE INDEX ix_users_handle ON "Users" (handle varchar_pattern_ops);
create table jobs (
  id bigserial not null,
  company_id varchar not null,
  title varchar not null,
  embedding vector(768),
  salary_min integer, salary_max integer,
  status varchar(16) NOT NULL DEFAULT 'new' CONSTRAINT ck_jobs_status CHECK (status = ANY (ARRAY['new','open','closed'])),
  a boolean, b boolean,
  note text CHECK (char_length(note) <= 500),
  reviewer_id int,
  constraint jobs_pkey primary key (id),
  constraint ck_salary check (salary_min <= salary_max),
  check (salary_min >= 0),
  CONSTRAINT ck_jobs_ab CHECK (NOT (a AND b)),
  CONSTRAINT ck_jobs_title CHECK (title NOT LIKE '% ' AND length(trim(title)) > 0),
  CONSTRAINT fk_jobs_reviewer FOREIGN KEY (reviewer_id) REFERENCES "Users"("Id") DEFERRABLE INITIALLY DEFERRED
);
alter table jobs add constraint jobs_company_id_fkey foreign key (company_id) references companies(id) on delete cascade;
create index CONCURRENTLY ix_jobs_embedding on jobs using hnsw (embedding vector_cosine_ops) with (m=16, ef_construction=64);
create unique index ix_jobs_title on jobs(title);
create index ix_jobs_company on jobs (company_id, title DESC);
create index ix_jobs_lower on jobs (lower(title));
create index ix_jobs_partial on jobs (salary_min) where salary_max is not null;
-- A partitioned table, and a foreign key into it (PostgreSQL adds one per partition).
CREATE TABLE events (
  id bigint NOT NULL,
  happened_at timestamptz NOT NULL,
  job_id bigint NOT NULL REFERENCES jobs(id),
  PRIMARY KEY (id, happened_at)
) PARTITION BY RANGE (happened_at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ix_events_job_id ON events (job_id);
CREATE TABLE event_marks (
  id serial PRIMARY KEY,
  event_id bigint NOT NULL,
  event_at timestamptz NOT NULL,
  FOREIGN KEY (event_id, event_at) REFERENCES events (id, happened_at) ON DELETE CASCADE
);
-- What is not a table, and Alembic's version table (here under env.py's own name).
CREATE VIEW open_jobs AS SELECT * FROM jobs WHERE status = 'open';
CREATE MATERIALIZED VIEW job_counts AS SELECT company_id, count(*) AS n FROM jobs GROUP BY company_id;
CREATE UNIQUE INDEX ix_job_counts ON job_counts (company_id);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER jobs_touch BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION touch();
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TABLE app_versions (version_num VARCHAR(32) NOT NULL, CONSTRAINT app_versions_pkc PRIMARY KEY (version_num));
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version VALUES ('a7238e3597e2');
