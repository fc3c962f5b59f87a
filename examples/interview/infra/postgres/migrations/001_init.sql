-- 001_init.sql: initial schema of the AI interview service.
-- Matches backend-core/models.py (SQLAlchemy postgresql DDL, dependency order).

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TYPE userrole AS ENUM ('CANDIDATE', 'RECRUITER', 'ADMIN');

CREATE TYPE questioncategory AS ENUM ('TECHNICAL', 'BEHAVIORAL', 'CULTURE_FIT', 'SITUATIONAL');

CREATE TYPE interviewstatus AS ENUM ('SCHEDULED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED');

CREATE TYPE speaker AS ENUM ('INTERVIEWER', 'CANDIDATE');

CREATE TABLE companies (
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE,
    id VARCHAR(20) NOT NULL,
    name VARCHAR(100) NOT NULL,
    industry VARCHAR(50),
    website_url VARCHAR(255),
    talent_profile TEXT,
    culture_keywords JSONB DEFAULT '[]'::jsonb NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name)
);

CREATE INDEX ix_companies_industry ON companies (industry);

CREATE TABLE users (
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE,
    id SERIAL NOT NULL,
    email VARCHAR(255) NOT NULL,
    hashed_password VARCHAR(255) NOT NULL,
    full_name VARCHAR(100) NOT NULL,
    role userrole NOT NULL,
    phone_number VARCHAR(20),
    is_active BOOLEAN DEFAULT true NOT NULL,
    last_login_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_users_email ON users (email);

CREATE TABLE questions (
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE,
    id SERIAL NOT NULL,
    company_id VARCHAR(20),
    category questioncategory NOT NULL,
    content TEXT NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    difficulty INTEGER NOT NULL,
    expected_answer TEXT,
    rubric JSONB,
    embedding VECTOR(768),
    usage_count INTEGER DEFAULT 0 NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_questions_company_content UNIQUE (company_id, content_hash),
    FOREIGN KEY(company_id) REFERENCES companies (id)
);

CREATE INDEX ix_questions_category ON questions (category);

CREATE INDEX ix_questions_company_id ON questions (company_id);

CREATE INDEX ix_questions_embedding_hnsw ON questions USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);

CREATE TABLE resumes (
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE,
    id SERIAL NOT NULL,
    user_id INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL,
    file_path VARCHAR(500),
    content_text TEXT,
    parsed_sections JSONB,
    embedding VECTOR(768),
    is_primary BOOLEAN NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_resumes_user_id ON resumes (user_id);

CREATE TABLE interviews (
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE,
    id SERIAL NOT NULL,
    candidate_id INTEGER NOT NULL,
    company_id VARCHAR(20),
    resume_id INTEGER,
    position VARCHAR(100) NOT NULL,
    status interviewstatus NOT NULL,
    scheduled_at TIMESTAMP WITH TIME ZONE,
    started_at TIMESTAMP WITH TIME ZONE,
    ended_at TIMESTAMP WITH TIME ZONE,
    total_score FLOAT,
    PRIMARY KEY (id),
    FOREIGN KEY(candidate_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY(company_id) REFERENCES companies (id) ON DELETE SET NULL,
    FOREIGN KEY(resume_id) REFERENCES resumes (id) ON DELETE SET NULL
);

CREATE INDEX ix_interviews_candidate_id ON interviews (candidate_id);

CREATE INDEX ix_interviews_company_id ON interviews (company_id);

CREATE INDEX ix_interviews_status ON interviews (status);

CREATE TABLE evaluation_reports (
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE,
    id SERIAL NOT NULL,
    interview_id INTEGER NOT NULL,
    evaluator_model VARCHAR(100) NOT NULL,
    overall_score NUMERIC(5, 2) NOT NULL,
    technical_score NUMERIC(5, 2),
    communication_score NUMERIC(5, 2),
    summary TEXT,
    details JSONB NOT NULL,
    strengths JSONB,
    recommendation VARCHAR(20),
    PRIMARY KEY (id),
    UNIQUE (interview_id),
    FOREIGN KEY(interview_id) REFERENCES interviews (id) ON DELETE CASCADE
);

CREATE TABLE transcripts (
    id SERIAL NOT NULL,
    interview_id INTEGER NOT NULL,
    question_id INTEGER,
    sequence INTEGER NOT NULL,
    speaker speaker NOT NULL,
    content TEXT NOT NULL,
    audio_url VARCHAR(500),
    duration_ms INTEGER,
    sentiment JSONB,
    spoken_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_transcripts_interview_sequence UNIQUE (interview_id, sequence),
    FOREIGN KEY(interview_id) REFERENCES interviews (id) ON DELETE CASCADE,
    FOREIGN KEY(question_id) REFERENCES questions (id) ON DELETE SET NULL
);

CREATE INDEX ix_transcripts_interview_id ON transcripts (interview_id);
