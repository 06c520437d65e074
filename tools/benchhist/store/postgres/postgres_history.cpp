// File: postgres_history.cpp
// The shared history backend on a PostgreSQL server, through libpq (the C client library:
// no C++ ABI to match, which libpqxx would add, and libpq is what every PostgreSQL tool links).
//
// Schema migrations are an ordered list; table benchhist_schema holds how many have been
// applied. Opening for writing applies the missing ones in one transaction under an advisory
// lock (two processes opening a new database at once do not both create it), and a version
// newer than this benchhist knows is refused rather than misread.
//
// Each ingest is one transaction that first takes a transaction-scoped advisory lock, so
// writers serialize the way SQLite's BEGIN IMMEDIATE makes them: the duplicate check cannot
// race, and ids (an identity column) are committed in increasing order. A writer that dies
// holding the lock loses its connection; the server rolls the transaction back and releases
// the lock, so there is never a partial run.
//
// Text columns use the "C" collation: byte order, as std::map and SQLite's BINARY sort, and
// b-tree indexes that serve commit-prefix LIKE queries. Doubles travel as text in their
// shortest exact form (fmt's "{}" one way, extra_float_digits=3 the other), so every value
// comes back bit for bit.
#include "postgres/postgres_history.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <iterator>
#include <optional>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "internal/test_hook.h"

namespace tools {
namespace {

const char* const migrations[] = {
    // 1: runs and their samples.
    R"sql(
CREATE TABLE runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  commit_sha text COLLATE "C" NOT NULL,
  parent_sha text COLLATE "C" NOT NULL DEFAULT '',
  merge_base text COLLATE "C" NOT NULL DEFAULT '',
  branch text COLLATE "C" NOT NULL DEFAULT '',
  ingested_at text NOT NULL,
  bench_date text NOT NULL DEFAULT '',
  platform text COLLATE "C" NOT NULL,
  allocator text COLLATE "C" NOT NULL,
  machine text NOT NULL DEFAULT '{}',
  content_hash text COLLATE "C" NOT NULL,
  source text NOT NULL DEFAULT '',
  UNIQUE (commit_sha, platform, allocator, content_hash)
);
CREATE TABLE samples (
  run_id bigint NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  benchmark text COLLATE "C" NOT NULL,
  metric text COLLATE "C" NOT NULL,
  repetition integer NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (run_id, benchmark, metric, repetition)
);
)sql",
    // 2: the commands' windows ("the newest N runs of this platform and allocator", "of this
    // branch") read an index backwards instead of sorting the table. Commit prefixes use the
    // UNIQUE index (commit_sha first), samples of a run the primary key.
    R"sql(
CREATE INDEX runs_by_platform ON runs (platform, allocator, id);
CREATE INDEX runs_by_branch ON runs (branch, id);
)sql",
};
constexpr int schema_version = static_cast<int>(std::size(migrations));

// Arbitrary constants ("benchhis", "benchmig"): the advisory locks of ingests and migrations.
constexpr const char* ingest_lock = "7306916042489308531";
constexpr const char* migrate_lock = "7306916042489310567";

// libpq's messages end in a newline and may span lines ("...failed: ...\n\tIs the server
// running...?"); one line for stderr.
std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool space = c == '\n' || c == '\t' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

std::string sql_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", v);
}

double parse_double(std::string_view s) {
  if (s == "NaN") return std::nan("");
  if (s == "Infinity") return HUGE_VAL;
  if (s == "-Infinity") return -HUGE_VAL;
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// An element of a text[] literal: always quoted, '"' and '\' escaped.
void append_array_text(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

// Defined below, beside redact_postgres_uri.
std::vector<std::string> passwords_in(const std::string& uri);
std::string without_passwords(std::string msg, const std::vector<std::string>& secrets);

class result {
 public:
  explicit result(PGresult* r) : r_(r) {}
  ~result() { PQclear(r_); }
  result(const result&) = delete;
  result& operator=(const result&) = delete;
  result(result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }

  int rows() const { return PQntuples(r_); }
  std::string text(int row, int col) const { return PQgetvalue(r_, row, col); }
  bool null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::int64_t integer(int row, int col) const { return std::stoll(text(row, col)); }
  double real(int row, int col) const { return parse_double(PQgetvalue(r_, row, col)); }

 private:
  PGresult* r_;
};

class postgres_history final : public history_store {
 public:
  postgres_history(const std::string& uri, store_access access)
      : location_(redact_postgres_uri(uri)) {
    // connect_timeout comes before the URI so that the URI may set its own; an unreachable
    // host then fails in seconds rather than at the TCP timeout.
    const char* const keys[] = {"connect_timeout", "dbname", "fallback_application_name", nullptr};
    const char* const values[] = {"10", uri.c_str(), "benchhist", nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (conn_ == nullptr) throw input_error(fmt::format("{}: out of memory", location_));
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string msg = without_passwords(one_line(PQerrorMessage(conn_)), passwords_in(uri));
      PQfinish(conn_);
      throw input_error(
          fmt::format("{}: cannot connect to the history server: {}", location_, msg));
    }
    // The server's NOTICEs ("relation already exists, skipping") are not benchhist's output.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    try {
      exec("SET extra_float_digits = 3");
      if (access == store_access::read_only) {
        exec("SET default_transaction_read_only = on");
        check_version(stored_version());
      } else {
        // migrate() checks the version under its lock and refuses someone else's database
        // or a newer one before it writes anything.
        migrate();
      }
    } catch (...) {
      PQfinish(conn_);
      throw;
    }
  }
  ~postgres_history() override { PQfinish(conn_); }

  std::int64_t add_run(const run_record& run) override {
    exec("BEGIN");
    try {
      query(fmt::format("SELECT pg_advisory_xact_lock({})", ingest_lock), {});
      const run_info& i = run.info;
      const result dup = query(
          "SELECT id FROM runs WHERE commit_sha = $1 AND platform = $2 AND allocator = $3 AND "
          "content_hash = $4",
          {i.commit, i.platform, i.allocator, i.content_hash});
      if (dup.rows() != 0)
        throw duplicate_run_error(
            fmt::format(
                "duplicate run: these results of commit {} ({}, {}) are already stored as run {}",
                i.commit, i.platform, i.allocator, dup.integer(0, 0)),
            dup.integer(0, 0));
      const result ins = query(
          "INSERT INTO runs (commit_sha, parent_sha, merge_base, branch, ingested_at, "
          "bench_date, platform, allocator, machine, content_hash, source) VALUES "
          "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
          {i.commit, i.parent, i.merge_base, i.branch, i.timestamp, i.bench_date, i.platform,
           i.allocator, i.machine, i.content_hash, i.source});
      const std::int64_t id = ins.integer(0, 0);
      // One statement per benchmark: its metrics, repetitions and values as three arrays.
      bool hooked = false;
      for (const auto& [bench, metrics] : run.samples) {
        std::string names = "{", reps = "{", values = "{";
        for (const auto& [metric, vs] : metrics)
          for (std::size_t r = 0; r < vs.size(); ++r) {
            if (names.size() > 1) names += ',', reps += ',', values += ',';
            append_array_text(names, metric);
            reps += std::to_string(r);
            values += sql_double(vs[r]);
          }
        names += '}', reps += '}', values += '}';
        query(
            "INSERT INTO samples (run_id, benchmark, metric, repetition, value) "
            "SELECT $1::bigint, $2::text, m, r, v FROM unnest($3::text[], $4::integer[], "
            "$5::double precision[]) AS u(m, r, v)",
            {std::to_string(id), bench, names, reps, values});
        if (!hooked) {
          hooked = true;
          store_internal::mid_ingest_test_hook();
        }
      }
      exec("COMMIT");
      return id;
    } catch (...) {
      exec_noexcept("ROLLBACK");
      throw;
    }
  }

  std::vector<run_info> list_runs(const run_filter& f) const override {
    // The newest `last` (LIMIT NULL: all), returned oldest first.
    const result q =
        query(std::string("SELECT * FROM (") + select_runs +
                  " WHERE ($1 = '' OR platform = $1) AND ($2 = '' OR allocator = $2) AND "
                  "($3 = '' OR branch = $3) ORDER BY id DESC LIMIT $4) newest ORDER BY id",
              {f.platform, f.allocator, f.branch,
               f.last == 0 ? std::nullopt : std::optional<std::string>(std::to_string(f.last))});
    std::vector<run_info> out;
    out.reserve(static_cast<std::size_t>(q.rows()));
    for (int row = 0; row < q.rows(); ++row)
      out.push_back(read_info(q, row));
    return out;
  }

  std::optional<run_record> get_run(std::int64_t id) const override {
    const std::string key = std::to_string(id);
    const result q = query(std::string(select_runs) + " WHERE id = $1", {key});
    if (q.rows() == 0) return std::nullopt;
    run_record r;
    r.info = read_info(q, 0);
    const result s = query(
        "SELECT benchmark, metric, value FROM samples WHERE run_id = $1 ORDER BY benchmark, "
        "metric, repetition",
        {key});
    for (int row = 0; row < s.rows(); ++row)
      r.samples[s.text(row, 0)][s.text(row, 1)].push_back(s.real(row, 2));
    return r;
  }

  std::optional<run_info> find_commit(const std::string& commit,
                                      const run_filter& f) const override {
    if (commit.size() < 4) return std::nullopt;
    std::string pattern;
    for (const char c : commit) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    const result q = query(std::string(select_runs) +
                               " WHERE commit_sha LIKE $1 AND ($2 = '' OR platform = $2) AND "
                               "($3 = '' OR allocator = $3) ORDER BY id DESC",
                           {pattern, f.platform, f.allocator});
    std::optional<run_info> found;
    for (int row = 0; row < q.rows(); ++row) {
      run_info i = read_info(q, row);
      // A prefix naming two different commits is ambiguous, not "the newest".
      if (found && found->commit != i.commit)
        throw input_error(fmt::format("commit prefix '{}' is ambiguous ({} and {})", commit,
                                      found->commit, i.commit));
      if (!found) found = std::move(i);
    }
    return found;
  }

 private:
  static constexpr const char* select_runs =
      "SELECT id, commit_sha, parent_sha, merge_base, branch, ingested_at, bench_date, platform, "
      "allocator, machine, content_hash, source FROM runs";

  static run_info read_info(const result& q, int row) {
    run_info i;
    i.id = q.integer(row, 0);
    i.commit = q.text(row, 1);
    i.parent = q.text(row, 2);
    i.merge_base = q.text(row, 3);
    i.branch = q.text(row, 4);
    i.timestamp = q.text(row, 5);
    i.bench_date = q.text(row, 6);
    i.platform = q.text(row, 7);
    i.allocator = q.text(row, 8);
    i.machine = q.text(row, 9);
    i.content_hash = q.text(row, 10);
    i.source = q.text(row, 11);
    return i;
  }

  [[noreturn]] void fail(PGresult* r) const {
    const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const std::string msg = one_line(primary ? primary : PQerrorMessage(conn_));
    PQclear(r);
    throw input_error(fmt::format("{}: history database: {}", location_, msg));
  }

  // Parameters as text; nullopt is SQL NULL.
  result query(const std::string& sql,
               const std::vector<std::optional<std::string>>& params) const {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params)
      values.push_back(p ? p->c_str() : nullptr);
    PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) fail(r);
    return result(r);
  }

  // Statements without parameters, several at once (the migrations).
  void exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) fail(r);
    PQclear(r);
  }
  void exec_noexcept(const char* sql) noexcept { PQclear(PQexec(conn_, sql)); }

  // 0 when the database has no benchhist_schema table (or it is empty). Asked of pg_tables
  // with the statement's snapshot: to_regclass would consult the session's catalog cache,
  // which may still remember the table as missing after another writer's migration committed
  // while this one waited for the lock.
  int stored_version() const {
    const result t = query(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = "
        "'benchhist_schema'",
        {});
    if (t.text(0, 0) == "0") return 0;
    const result v = query("SELECT max(version) FROM benchhist_schema", {});
    if (v.null(0, 0)) return 0;
    const std::string text = v.text(0, 0);
    int version = 0;
    std::from_chars(text.data(), text.data() + text.size(), version);
    return version;
  }

  // Tables in the current schema that are not benchhist's bookkeeping: someone else's database.
  bool has_foreign_tables() const {
    const result q = query(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename <> "
        "'benchhist_schema'",
        {});
    return q.text(0, 0) != "0";
  }

  // A version this benchhist can read: 1..schema_version (0 is a database without the schema).
  void check_version(int v) const {
    if (v < 0)
      throw input_error(fmt::format(
          "{}: history schema version {} is not valid (0 to {}): not a benchhist history "
          "database, or a damaged one",
          location_, v, schema_version));
    if (v > schema_version)
      throw input_error(fmt::format(
          "{}: history schema version {} is newer than this benchhist understands ({}); "
          "upgrade benchhist",
          location_, v, schema_version));
    if (v == 0)
      throw input_error(fmt::format(
          "{}: not a benchhist history database ({}); pass the history location with --db",
          location_, has_foreign_tables() ? "it has tables of its own" : "it is empty"));
  }

  void migrate() {
    if (stored_version() == schema_version) return;
    exec("BEGIN");
    try {
      query(fmt::format("SELECT pg_advisory_xact_lock({})", migrate_lock), {});
      // Checked again under the lock: another process may have migrated meanwhile.
      const int from = stored_version();
      if (from != 0 || has_foreign_tables()) check_version(from);
      if (from == 0) exec("CREATE TABLE IF NOT EXISTS benchhist_schema (version integer NOT NULL)");
      for (int v = from; v < schema_version; ++v)
        exec(migrations[v]);
      exec(fmt::format("DELETE FROM benchhist_schema; INSERT INTO benchhist_schema VALUES ({})",
                       schema_version));
      exec("COMMIT");
    } catch (...) {
      exec_noexcept("ROLLBACK");
      throw;
    }
  }

  std::string location_;  // redacted
  PGconn* conn_ = nullptr;
};

}  // namespace

namespace {

// The user:PASSWORD@ part of a URI's authority as [begin, end) of its password. The authority
// ends at the last '@', not at the first '/', '?' or '#': a password that was not
// percent-encoded may hold those, and it must be hidden all the same (an '@' later in the URI
// only hides more than the password, never less).
std::optional<std::pair<std::size_t, std::size_t>> authority_password(const std::string& uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const auto start = scheme_end + 3;
  const auto at = uri.rfind('@');
  if (at == std::string::npos || at < start) return std::nullopt;
  const auto colon = uri.find(':', start);
  if (colon == std::string::npos || colon > at) return std::nullopt;
  return std::pair{colon + 1, at};
}

// Where password=VALUE begins a key (of a URI's query or a key=value string): VALUE's range.
template <typename F>
void for_each_password_param(const std::string& text, F&& f) {
  for (std::size_t pos = 0; (pos = text.find("password=", pos)) != std::string::npos;) {
    const bool starts_key =
        pos == 0 || text[pos - 1] == '?' || text[pos - 1] == '&' || text[pos - 1] == ' ';
    pos += 9;
    if (!starts_key) continue;
    f(pos, std::min(text.find_first_of("& #", pos), text.size()));
  }
}

// The passwords a location spells out, as written.
std::vector<std::string> passwords_in(const std::string& uri) {
  std::vector<std::string> out;
  if (const auto pw = authority_password(uri); pw && pw->second > pw->first)
    out.push_back(uri.substr(pw->first, pw->second - pw->first));
  for_each_password_param(uri, [&](std::size_t b, std::size_t e) {
    if (e > b) out.push_back(uri.substr(b, e - b));
  });
  return out;
}

// libpq's message with every quoted fragment of a password (libpq quotes the part of a URI it
// could not parse, which may be a piece of an unencoded password) replaced by "***".
std::string without_passwords(std::string msg, const std::vector<std::string>& secrets) {
  if (secrets.empty()) return msg;
  // A whole password anywhere; a short one only where quoted (below), or "a" would hide every
  // 'a' of the message.
  for (const std::string& secret : secrets)
    for (std::size_t p; secret.size() >= 4 && (p = msg.find(secret)) != std::string::npos;)
      msg.replace(p, secret.size(), "***");
  for (std::size_t open = msg.find('"'); open != std::string::npos;) {
    const auto close = msg.find('"', open + 1);
    if (close == std::string::npos) break;
    const std::string quoted = msg.substr(open + 1, close - open - 1);
    bool secret_part = false;
    for (const std::string& secret : secrets)
      secret_part = secret_part || (!quoted.empty() && secret.find(quoted) != std::string::npos);
    if (secret_part) {
      msg.replace(open + 1, quoted.size(), "***");
      open = msg.find('"', open + 5);
    } else {
      open = msg.find('"', close + 1);
    }
  }
  return msg;
}

}  // namespace

std::string redact_postgres_uri(const std::string& uri) {
  std::string out = uri;
  if (const auto pw = authority_password(out))
    out.replace(pw->first, pw->second - pw->first, "***");
  // password=... among the query parameters (or in a key=value string), last first so that
  // the earlier ranges stay valid.
  std::vector<std::pair<std::size_t, std::size_t>> params;
  for_each_password_param(out, [&](std::size_t b, std::size_t e) { params.emplace_back(b, e); });
  for (auto it = params.rbegin(); it != params.rend(); ++it)
    out.replace(it->first, it->second - it->first, "***");
  return out;
}

std::unique_ptr<history_store> open_postgres_history(const std::string& uri, store_access access) {
  return std::make_unique<postgres_history>(uri, access);
}

int postgres_history_schema_version() {
  return schema_version;
}

}  // namespace tools
