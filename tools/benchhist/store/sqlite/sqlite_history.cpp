// File: sqlite_history.cpp
// The embedded history backend on SQLite.
//
// Schema migrations are an ordered list; PRAGMA user_version records how many have been
// applied, and each runs in its own transaction, so an old database is upgraded on open and a
// newer one (from a future benchhist) is refused rather than misread.
//
// Writes use BEGIN IMMEDIATE: the write lock is taken up front, so two ingesting processes
// serialize (the second waits up to the busy timeout) instead of failing mid-transaction with
// SQLITE_BUSY on lock upgrade. The journal (WAL) makes a run appear whole or not at all, even
// when the process is killed between statements.
#include "sqlite/sqlite_history.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iterator>

#include "common/error.h"
#include "internal/test_hook.h"

namespace tools {
namespace {

const char* const migrations[] = {
    // 1: runs and their samples.
    R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  commit_sha TEXT NOT NULL,
  parent_sha TEXT NOT NULL DEFAULT '',
  merge_base TEXT NOT NULL DEFAULT '',
  branch TEXT NOT NULL DEFAULT '',
  timestamp TEXT NOT NULL,
  bench_date TEXT NOT NULL DEFAULT '',
  platform TEXT NOT NULL,
  allocator TEXT NOT NULL,
  machine TEXT NOT NULL DEFAULT '{}',
  content_hash TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  UNIQUE (commit_sha, platform, allocator, content_hash)
);
CREATE TABLE samples (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  benchmark TEXT NOT NULL,
  metric TEXT NOT NULL,
  repetition INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (run_id, benchmark, metric, repetition)
) WITHOUT ROWID;
)sql",
    // 2: history queries go by benchmark and metric across runs.
    R"sql(
CREATE INDEX samples_by_metric ON samples (benchmark, metric, run_id);
CREATE INDEX runs_by_commit ON runs (commit_sha);
)sql",
};
constexpr int schema_version = static_cast<int>(std::size(migrations));

class statement {
 public:
  statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw input_error(fmt::format("history: {}", sqlite3_errmsg(db)));
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  statement& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  // True while there is a row; throws on error.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw input_error(fmt::format("history: {}", sqlite3_errmsg(db_)));
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int i) const {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  std::int64_t integer(int i) const { return sqlite3_column_int64(stmt_, i); }
  double real(int i) const { return sqlite3_column_double(stmt_, i); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// True when the file and its directory (where SQLite keeps the -wal and -shm files) are both
// writable by this process.
bool may_write_beside(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return ::access(path.c_str(), W_OK) == 0 && ::access(dir.empty() ? "." : dir.c_str(), W_OK) == 0;
}

// file:PATH?immutable=1, the path percent-encoded (RFC 3986 unreserved characters and '/'
// pass through).
std::string immutable_uri(const std::string& path) {
  std::string uri = "file:";
  for (const unsigned char c : path) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    uri += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return uri + "?immutable=1";
}

class sqlite_history final : public history_store {
 public:
  sqlite_history(const std::string& path, store_access access) : path_(path) {
    const bool read_only = access == store_access::read_only;
    // SQLite's own message for a missing file is "unable to open database file".
    if (read_only && !std::filesystem::exists(path))
      throw input_error(fmt::format(
          "{}: no such history database (check --db, or ingest a run to create it)", path));
    // A read-only connection to a WAL database leaves its -shm file behind (only a writer may
    // remove it), so a reader opens read-write (never creating, never migrating, never
    // writing) where it may. Where it may not, SQLite cannot create the -shm file either and
    // refuses a WAL database; with no -wal file beside it and no way to create one, no writer
    // can change the file while it is read, so it is opened as immutable.
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    std::string name = path;
    if (read_only && may_write_beside(path)) {
      flags = SQLITE_OPEN_READWRITE;
    } else if (read_only) {
      flags = SQLITE_OPEN_READONLY;
      if (!std::filesystem::exists(path + "-wal")) {
        flags |= SQLITE_OPEN_URI;
        name = immutable_uri(path);
      }
    }
    if (sqlite3_open_v2(name.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw input_error(fmt::format("{}: cannot open history database: {}", path, msg));
    }
    // Concurrent ingests wait for the writer ahead of them rather than fail.
    sqlite3_busy_timeout(db_, 30000);
    try {
      if (read_only) {
        check_version(user_version());
      } else {
        // Before anything is written: someone else's database is refused unaltered. Version
        // and tables are read in one transaction: a writer creating the schema meanwhile
        // would otherwise show its tables without its version.
        exec("BEGIN");
        try {
          if (const int v = user_version(); v != 0 || has_tables()) check_version(v);
          exec("COMMIT");
        } catch (...) {
          exec_noexcept("ROLLBACK");
          throw;
        }
        exec("PRAGMA foreign_keys = ON");
        enter_wal_mode();
        // In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a killed
        // process still leaves every committed run, a power cut may lose the last few (never
        // half of one). Those are in their run records (history_records.h), which import
        // restores; FULL made importing 10,000 records four times slower.
        exec("PRAGMA synchronous = NORMAL");
        migrate();
      }
    } catch (const input_error& e) {
      sqlite3_close(db_);
      // A statement's error names no file ("history: file is not a database"): name it.
      const std::string what = e.what();
      if (what.rfind("history: ", 0) == 0) throw input_error(fmt::format("{}: {}", path, what));
      throw;
    } catch (...) {
      sqlite3_close(db_);
      throw;
    }
  }
  ~sqlite_history() override { sqlite3_close(db_); }

  // Switching a new file to WAL needs a moment with no other connection reading it, and SQLite
  // reports "database is locked" at once rather than waiting in the busy handler: first writers
  // racing on a new file retry (10 ms apart, up to the busy timeout). Once one has switched, the
  // mode is in the file and the others' switch is a no-op.
  void enter_wal_mode() {
    constexpr int retry_ms = 10;
    for (int waited = 0;; waited += retry_ms) {
      const int rc = sqlite3_exec(db_, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) return;
      if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited >= 30000) {
        exec("PRAGMA journal_mode = WAL");  // the same statement, for its error message
        return;
      }
      sqlite3_sleep(retry_ms);
    }
  }

  std::int64_t add_run(const run_record& run) override {
    exec("BEGIN IMMEDIATE");
    try {
      {
        statement dup(db_,
                      "SELECT id FROM runs WHERE commit_sha=? AND platform=? AND allocator=? AND "
                      "content_hash=?");
        dup.bind(1, run.info.commit)
            .bind(2, run.info.platform)
            .bind(3, run.info.allocator)
            .bind(4, run.info.content_hash);
        if (dup.step())
          throw duplicate_run_error(
              fmt::format(
                  "duplicate run: these results of commit {} ({}, {}) are already stored as run {}",
                  run.info.commit, run.info.platform, run.info.allocator, dup.integer(0)),
              dup.integer(0));
      }
      statement ins(db_,
                    "INSERT INTO runs (commit_sha, parent_sha, merge_base, branch, timestamp, "
                    "bench_date, platform, allocator, machine, content_hash, source) VALUES "
                    "(?,?,?,?,?,?,?,?,?,?,?)");
      const run_info& i = run.info;
      ins.bind(1, i.commit)
          .bind(2, i.parent)
          .bind(3, i.merge_base)
          .bind(4, i.branch)
          .bind(5, i.timestamp)
          .bind(6, i.bench_date)
          .bind(7, i.platform)
          .bind(8, i.allocator)
          .bind(9, i.machine)
          .bind(10, i.content_hash)
          .bind(11, i.source);
      ins.step();
      const std::int64_t id = sqlite3_last_insert_rowid(db_);
      statement sample(db_,
                       "INSERT INTO samples (run_id, benchmark, metric, repetition, value) "
                       "VALUES (?,?,?,?,?)");
      bool hooked = false;
      for (const auto& [bench, metrics] : run.samples) {
        for (const auto& [metric, values] : metrics) {
          for (std::size_t r = 0; r < values.size(); ++r) {
            sample.bind(1, id).bind(2, bench).bind(3, metric);
            sample.bind(4, static_cast<std::int64_t>(r)).bind(5, values[r]);
            sample.step();
            sample.reset();
          }
        }
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
    // Newest `last` first, then reversed into ingest order.
    statement q(db_, (std::string(select_runs) +
                      " WHERE (?1 = '' OR platform = ?1) AND (?2 = '' OR allocator = ?2) AND "
                      "(?3 = '' OR branch = ?3) ORDER BY id DESC LIMIT ?4")
                         .c_str());
    q.bind(1, f.platform).bind(2, f.allocator).bind(3, f.branch);
    q.bind(4, f.last == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(f.last));
    std::vector<run_info> out;
    while (q.step())
      out.push_back(read_info(q));
    return {out.rbegin(), out.rend()};
  }

  std::optional<run_record> get_run(std::int64_t id) const override {
    statement q(db_, (std::string(select_runs) + " WHERE id = ?").c_str());
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    run_record r;
    r.info = read_info(q);
    statement s(db_,
                "SELECT benchmark, metric, value FROM samples WHERE run_id = ? ORDER BY "
                "benchmark, metric, repetition");
    s.bind(1, id);
    while (s.step())
      r.samples[s.text(0)][s.text(1)].push_back(s.real(2));
    return r;
  }

  std::optional<run_info> find_commit(const std::string& commit,
                                      const run_filter& f) const override {
    if (commit.size() < 4) return std::nullopt;
    // The prefix as a range of the runs_by_commit index ([prefix, prefix + 0xFF): no UTF-8
    // text continues a prefix with that byte); substr() alone would scan every run.
    statement q(db_, (std::string(select_runs) +
                      " WHERE commit_sha >= ?1 AND commit_sha < ?4 AND substr(commit_sha, 1, "
                      "length(?1)) = ?1 AND (?2 = '' OR platform = ?2) AND (?3 = '' OR allocator "
                      "= ?3) ORDER BY id DESC")
                         .c_str());
    q.bind(1, commit).bind(2, f.platform).bind(3, f.allocator).bind(4, commit + '\xff');
    std::optional<run_info> found;
    while (q.step()) {
      run_info i = read_info(q);
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
      "SELECT id, commit_sha, parent_sha, merge_base, branch, timestamp, bench_date, platform, "
      "allocator, machine, content_hash, source FROM runs";

  static run_info read_info(const statement& q) {
    run_info i;
    i.id = q.integer(0);
    i.commit = q.text(1);
    i.parent = q.text(2);
    i.merge_base = q.text(3);
    i.branch = q.text(4);
    i.timestamp = q.text(5);
    i.bench_date = q.text(6);
    i.platform = q.text(7);
    i.allocator = q.text(8);
    i.machine = q.text(9);
    i.content_hash = q.text(10);
    i.source = q.text(11);
    return i;
  }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw input_error(fmt::format("{}: history database: {}", path_, msg));
    }
  }
  void exec_noexcept(const char* sql) noexcept {
    sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  }

  // PRAGMA user_version is any 32-bit integer; check_version() rejects the ones outside
  // [0, schema_version] before migrate() indexes the migrations with it.
  int user_version() {
    statement q(db_, "PRAGMA user_version");
    q.step();
    return static_cast<int>(q.integer(0));
  }

  bool has_tables() {
    statement q(db_, "SELECT count(*) FROM sqlite_master");
    q.step();
    return q.integer(0) != 0;
  }

  // A version this benchhist can read: 1..schema_version (0 is a database without the schema).
  void check_version(int v) {
    if (v < 0)
      throw input_error(fmt::format(
          "{}: history schema version {} is not valid (0 to {}): not a benchhist history "
          "database, or a damaged one",
          path_, v, schema_version));
    if (v > schema_version)
      throw input_error(fmt::format(
          "{}: history schema version {} is newer than this benchhist understands ({}); "
          "upgrade benchhist",
          path_, v, schema_version));
    if (v == 0)
      throw input_error(
          fmt::format("{}: not a benchhist history database ({}); pass the history file with --db",
                      path_, has_tables() ? "it has tables of its own" : "it is empty"));
  }

  void migrate() {
    // Checked again inside the write lock: another process may have migrated meanwhile.
    if (user_version() == schema_version) return;
    exec("BEGIN IMMEDIATE");
    try {
      const int from = user_version();
      // Version 0 is a new, empty file; one with tables of its own is someone else's database.
      if (from != 0 || has_tables()) check_version(from);
      for (int v = from; v < schema_version; ++v)
        exec(migrations[v]);
      exec(fmt::format("PRAGMA user_version = {}", schema_version).c_str());
      exec("COMMIT");
    } catch (...) {
      exec_noexcept("ROLLBACK");
      throw;
    }
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<history_store> open_sqlite_history(const std::string& path, store_access access) {
  // SQLite reads "" as a private temporary database and ":memory:" as one in memory: both
  // vanish on close, so a run "stored" there is lost.
  if (path.empty() || path == ":memory:")
    throw input_error(fmt::format(
        "history location '{}' is not a file: a run stored there would be lost on exit (pass "
        "--db PATH)",
        path));
  return std::make_unique<sqlite_history>(path, access);
}

int sqlite_history_schema_version() {
  return schema_version;
}

}  // namespace tools
