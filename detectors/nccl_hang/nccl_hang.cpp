// File: nccl_hang.cpp
// The nccl_hang detector: per job (node + process group) it follows each rank's last enqueued
// and last completed SeqNum, turns a burst of watchdog timeout lines into one incident that
// names the collective and the lagging rank(s), attributes the incident to the network when a
// NCCL network WARN preceded it on the node, and warns about ranks that stay behind the job's
// median. Parsing lives in nccl_hang_parse.cpp.
#include "detectors/nccl_hang.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "detectors/phase.h"
#include "detectors/short_text.h"
#include "formats/internal/keep_storage.h"
#include "internal/nccl_hang_parse.h"
#include "internal/nccl_hang_queue.h"

namespace detectors {
namespace {

using internal::nccl_line;
using internal::nccl_line_kind;
using internal::nccl_net_kind;

constexpr std::string_view detector_name = "nccl_hang";
constexpr std::string_view default_label = "default";
// How often (in stream time) idle jobs, stale ranks and old WARNs are swept out.
constexpr std::int64_t sweep_interval_ns = 10 * ns_per_second;
constexpr std::int64_t max_i64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t min_i64 = std::numeric_limits<std::int64_t>::min();

std::int64_t sat_add(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? max_i64 : min_i64;
  return r;
}
std::int64_t sat_sub(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? max_i64 : min_i64;
  return r;
}

struct rank_state {
  std::int64_t enqueued = -1;  // -1 is PyTorch's own "none yet"
  std::int64_t completed = -1;
  std::int64_t updated_ns = 0;      // last line that told us anything about the rank
  std::int64_t exact_ns = min_i64;  // last companion line (exact, not inferred from a timeout)
  bool lagging = false;             // inside a straggler episode
  bool straggler_reported = false;
  std::int64_t lag_since_ns = 0;
  std::uint64_t lag_observations = 0;
};

// One rank's timeout of one collective, as logged (possibly several times) by that rank.
struct timed_out_rank {
  std::int64_t rank = -1;
  std::int64_t seq = -1;
  std::int64_t timeout_ms = 0;
  std::int64_t ran_ms = 0;
  std::int64_t ts_ns = 0;
  // PyTorch's longest OpType name, REDUCE_SCATTER_TENSOR_COALESCED, has 31 characters.
  short_text<32> op;
  bool blocking_wait = false;
  bool untagged = false;  // no PG tag: may still be claimed by a non-default PG
  std::uint64_t lines = 1;
};

// The timeout lines of one job that arrived close together: reported once, after settling.
struct incident {
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
  std::uint64_t lines = 0;
  std::vector<timed_out_rank> entries;
};

struct job_state {
  std::string key;  // node + '\n' + label
  std::string node;
  std::string label;  // "default" or "pg<id>"
  std::string pg_name;
  std::map<std::int64_t, rank_state> ranks;  // ordered: rank lists in messages come out sorted
  // At least every rank's `completed` (it may be above all of them after ranks are dropped):
  // lets evaluate_straggler skip the walk over `ranks` when no median could put a rank behind.
  std::int64_t completed_bound = min_i64;
  std::optional<incident> pending;
  std::int64_t last_seen_ns = 0;
  bool timeout_reported = false;
  std::int64_t reported_seq = -1;  // the SeqNum range of the last reported incident
  std::int64_t reported_min_seq = -1;
  std::int64_t reported_ns = 0;
  bool heartbeat_reported = false;
  std::int64_t heartbeat_ns = 0;
};

// A WARN's peer is kept up to this long ("10.0.3.14<41232>" has 16 characters).
constexpr std::size_t max_peer_chars = 64;

struct net_warn {
  std::int64_t ts_ns = 0;
  nccl_net_kind kind = nccl_net_kind::ib_completion;
  std::int64_t ibv_status = -1;
  std::int64_t vendor_err = -1;
  std::int64_t retcode = -1;
  short_text<max_peer_chars> peer;
};

struct node_state {
  internal::slot_queue<net_warn> warns;  // oldest first
  std::int64_t last_seen_ns = 0;
};

// Lower is the stronger evidence when several WARNs precede one timeout.
int net_priority(nccl_net_kind k) noexcept {
  switch (k) {
    case nccl_net_kind::ib_completion:
      return 0;
    case nccl_net_kind::socket_closed:
      return 1;
    case nccl_net_kind::proxy:
      return 2;
    case nccl_net_kind::ib_async:
      return 3;
  }
  return 4;
}

// "0-2,4,6-7": ranks of a node are usually contiguous runs.
void append_ranks(std::string& out, const std::vector<std::int64_t>& ranks) {
  if (ranks.empty()) {
    out += "unknown";
    return;
  }
  for (std::size_t i = 0; i < ranks.size();) {
    std::size_t j = i;
    // Unknown (-1) stands alone; ranks are >= -1, so the subtraction cannot overflow.
    while (ranks[i] >= 0 && j + 1 < ranks.size() && ranks[j + 1] - 1 == ranks[j])
      ++j;
    if (i > 0) out += ',';
    if (ranks[i] < 0) {
      out += '?';
    } else if (j - i >= 2) {
      fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}-{}"), ranks[i], ranks[j]);
    } else {
      fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}"), ranks[i]);
      if (j > i) fmt::format_to(std::back_inserter(out), FMT_COMPILE(",{}"), ranks[j]);
    }
    i = j + 1;
  }
}

// Drops the `count` entries of `map` that were seen least recently; `seen` reads the time.
// Done in bulk (callers evict an eighth of the cap) so that a stream of ever-new keys costs
// amortised O(1) per key.
template <typename Map, typename Seen, typename OnErase>
void evict_oldest(Map& map, std::size_t count, Seen seen, OnErase on_erase) {
  if (count == 0 || map.empty()) return;
  std::vector<std::pair<std::int64_t, typename Map::iterator>> order;
  order.reserve(map.size());
  for (auto it = map.begin(); it != map.end(); ++it)
    order.emplace_back(seen(it->second), it);
  count = std::min(count, order.size());
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count - 1),
                   order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < count; ++i) {
    on_erase(order[i].second->second);
    map.erase(order[i].second);  // erasing one element leaves the other iterators valid
  }
}

}  // namespace

struct nccl_hang_detector::state {
  explicit state(const nccl_hang_config& c) : config(c) {
    spare_ranks.reserve(std::min<std::size_t>(config.max_ranks_per_job, 256));
    spare_entries.reserve(max_spare_entries);
  }

  nccl_hang_config config;
  using job_map = std::unordered_map<std::string, job_state>;
  job_map jobs;
  // Jobs forgotten as idle, kept with their strings' storage for the next new job: never more
  // than the most jobs tracked at once.
  std::vector<job_map::node_type> spare_jobs;
  // The job get_job found last (null once it may be gone): a job's lines come in bursts.
  job_state* last_job = nullptr;
  using node_map = std::unordered_map<std::string, node_state>;
  node_map nodes;
  // Nodes forgotten in the sweep (their WARNs all expired), kept with their queue's slots for
  // the next node with a WARN: never more than the most nodes remembered at once.
  std::vector<node_map::node_type> spare_nodes;
  // Jobs whose incident is settling, in the order their incidents opened (so, by deadline,
  // up to the stream's small timestamp disorder).
  // A slot_queue: the keys' strings are reused, not reallocated, incident after incident.
  struct pending_ref {
    std::int64_t deadline = 0;
    std::string key;
  };
  internal::slot_queue<pending_ref> pending;
  // Untagged timeouts that a non-default PG's companion line claimed (see claim_untagged).
  struct claim {
    std::int64_t ts_ns = 0;
    std::string node;
    std::int64_t rank = -1;
    std::int64_t seq = -1;
    std::string key;
  };
  static constexpr std::size_t max_claims = 256;
  internal::slot_queue<claim> claims;
  std::int64_t now = min_i64;  // latest event time seen (events may be slightly out of order)
  std::int64_t next_sweep = min_i64;

  // Rank entries dropped from a job (stale, or the job's new incarnation), kept for reuse so
  // that ranks coming and going allocate nothing at steady state; at most max_ranks_per_job.
  using rank_map = std::map<std::int64_t, rank_state>;
  std::vector<rank_map::node_type> spare_ranks;

  // Removes rank `it` from `ranks` (keeping its storage); returns the next rank.
  rank_map::iterator drop_rank(rank_map& ranks, rank_map::iterator it) {
    const auto next = std::next(it);
    rank_map::node_type node = ranks.extract(it);
    if (spare_ranks.size() < config.max_ranks_per_job) spare_ranks.push_back(std::move(node));
    return next;
  }

  // The entry lists of reported incidents (emptied, capacity kept) for the next incidents.
  static constexpr std::size_t max_spare_entries = 64;
  std::vector<std::vector<timed_out_rank>> spare_entries;
  // A new list's capacity: one entry per rank and collective, so that a node's eight local
  // ranks timing out on two collectives fit without growing the list.
  static constexpr std::size_t entries_reserve = 16;

  void recycle(std::vector<timed_out_rank>& entries) {
    entries.clear();
    if (spare_entries.size() < max_spare_entries) spare_entries.push_back(std::move(entries));
  }

  // Drops a job's settling incident (emptied by claims), keeping its list for the next one.
  void close_incident(job_state& job) {
    recycle(job.pending->entries);
    job.pending.reset();
  }

  // Scratch buffers; a finding's strings point into them during on_finding.
  std::string key;
  std::string label_buf;
  std::string subject;
  std::string message;
  std::vector<std::int64_t> scratch;
  std::vector<std::int64_t> rank_list;
  std::vector<std::int64_t> timed_out_ranks;
  std::vector<std::int64_t> silent_ranks;

  void emit(finding_sink& sink, detector_stats& stats, std::string_view node, severity sev,
            std::string_view kind, std::int64_t first_ns, std::int64_t last_ns, std::uint64_t count,
            action act) {
    finding f;
    f.detector = detector_name;
    f.node = node;
    f.subject = subject;
    f.sev = sev;
    f.kind = kind;
    f.message = message;
    f.first_ns = first_ns;
    f.last_ns = last_ns;
    f.count = count;
    f.recommended = act;
    ++stats.findings;
    sink.on_finding(f);
    DETECTORS_PHASE(state);  // the caller goes on updating the job
  }

  static std::string_view label_for(const internal::nccl_pg_tag& tag, std::string& buf) {
    // PG 0 is always the default (WORLD) group; untagged lines belong to it too.
    if (!tag.has_pg || tag.pg_id == 0) return default_label;
    buf.clear();
    fmt::format_to(std::back_inserter(buf), FMT_COMPILE("pg{}"), tag.pg_id);
    return buf;
  }

  void pg_display(std::string& out, const job_state& job) const {
    if (job.label == default_label) {
      out += "the default PG";
    } else {
      fmt::format_to(std::back_inserter(out), FMT_COMPILE("PG {}"),
                     std::string_view(job.label).substr(2));
    }
    if (!job.pg_name.empty())
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(" ({})"), job.pg_name);
  }

  job_state& get_job(const event& ev, const internal::nccl_pg_tag& tag, finding_sink& sink,
                     detector_stats& stats) {
    const std::string_view label = label_for(tag, label_buf);
    // Same node and label is the same key (the label has no '\n'): no key, hash or lookup.
    if (last_job != nullptr && last_job->node == ev.node && last_job->label == label) {
      return touch_job(*last_job, ev, tag);
    }
    key.assign(ev.node);
    key += '\n';
    key += label;
    auto it = jobs.find(key);
    if (it == jobs.end()) {
      if (jobs.size() >= config.max_jobs) {
        const std::string saved = key;
        evict_jobs(jobs.size() - config.max_jobs * 7 / 8, sink, stats);
        key = saved;
      }
      it = add_job(key);
      it->second.key.assign(key);
      it->second.node.assign(ev.node);
      it->second.label.assign(label);
      it->second.last_seen_ns = ev.ts_ns;
    }
    last_job = &it->second;
    return touch_job(it->second, ev, tag);
  }

  static job_state& touch_job(job_state& job, const event& ev, const internal::nccl_pg_tag& tag) {
    if (!tag.pg_name.empty() && job.pg_name != tag.pg_name) job.pg_name.assign(tag.pg_name);
    job.last_seen_ns = std::max(job.last_seen_ns, ev.ts_ns);
    return job;
  }

  // A job's key ("node-014\npg1" or "node-014\ndefault") gets room for longer node names, so
  // that a reused job (both copies of its key) takes any other job's key without growing.
  static constexpr std::size_t job_key_reserve = 48;

  job_map::iterator add_job(const std::string& job_key) {
    if (spare_jobs.empty()) {
      std::string map_key;
      map_key.reserve(std::max(job_key.size(), job_key_reserve));
      map_key = job_key;
      const auto it = jobs.try_emplace(std::move(map_key)).first;  // moved: keeps the room
      it->second.key.reserve(job_key_reserve);
      return it;
    }
    job_map::node_type node = std::move(spare_jobs.back());
    spare_jobs.pop_back();
    node.key() = job_key;
    return jobs.insert(std::move(node)).position;
  }

  // Forgets an idle job (its incident already reported), keeping its map entry and strings'
  // storage for a new job and its ranks for any job; returns the next job.
  job_map::iterator retire_job(job_map::iterator it) {
    job_state& job = it->second;
    if (&job == last_job) last_job = nullptr;
    for (auto r = job.ranks.begin(); r != job.ranks.end();)
      r = drop_rank(job.ranks, r);
    if (job.pending) close_incident(job);
    job_state fresh;  // every field as new, but the strings keep their buffers
    internal::keep_storage(job.key, fresh.key);
    internal::keep_storage(job.node, fresh.node);
    internal::keep_storage(job.label, fresh.label);
    internal::keep_storage(job.pg_name, fresh.pg_name);
    job = std::move(fresh);
    const auto next = std::next(it);
    spare_jobs.push_back(jobs.extract(it));
    return next;
  }

  void evict_jobs(std::size_t count, finding_sink& sink, detector_stats& stats) {
    last_job = nullptr;  // it may be among the evicted
    // A settling incident is reported before its job goes, never lost.
    evict_oldest(
        jobs, std::max<std::size_t>(count, 1), [](const job_state& j) { return j.last_seen_ns; },
        [&](job_state& j) {
          if (j.pending) flush_job(j, sink, stats);
        });
  }

  rank_state& update_rank(job_state& job, std::int64_t rank, std::int64_t enqueued,
                          std::int64_t completed, std::int64_t ts_ns, bool exact) {
    // PyTorch has printed uninitialised "last completed" values far above the enqueued one.
    if (enqueued >= 0 && completed > enqueued) completed = enqueued;
    auto it = job.ranks.find(rank);
    if (it != job.ranks.end() && enqueued < it->second.completed) {
      // The rank's counter went back: a new incarnation of the job; the old SeqNums of every
      // rank describe a process that no longer exists.
      for (auto r = job.ranks.begin(); r != job.ranks.end();)
        r = drop_rank(job.ranks, r);
      it = job.ranks.end();
      job.completed_bound = min_i64;  // the old incarnation's SeqNums would keep it high
    }
    if (it == job.ranks.end()) {
      if (job.ranks.size() >= config.max_ranks_per_job) {
        evict_oldest(
            job.ranks, job.ranks.size() - config.max_ranks_per_job * 7 / 8 + 1,
            [](const rank_state& r) { return r.updated_ns; }, [](rank_state&) {});
      }
      if (spare_ranks.empty()) {
        it = job.ranks.emplace(rank, rank_state{}).first;
      } else {
        rank_map::node_type node = std::move(spare_ranks.back());
        spare_ranks.pop_back();
        node.key() = rank;
        node.mapped() = rank_state{};
        it = job.ranks.insert(std::move(node)).position;
      }
      it->second.updated_ns = ts_ns;
    }
    rank_state& r = it->second;
    r.enqueued = enqueued;
    r.completed = completed;
    job.completed_bound = std::max(job.completed_bound, completed);
    r.updated_ns = std::max(r.updated_ns, ts_ns);
    if (exact) r.exact_ns = ts_ns;
    return r;
  }

  bool fresh(const rank_state& r, std::int64_t at_ns) const {
    return r.updated_ns >= sat_sub(at_ns, config.rank_stale_ns);
  }

  // Judged when the rank itself reports: a rank that went silent is not a straggler (the
  // collective timeout that follows says more), and old SeqNums of a rank from an earlier
  // incarnation of the job must not make it look behind.
  void evaluate_straggler(job_state& job, std::int64_t rank, std::int64_t now_ns,
                          finding_sink& sink, detector_stats& stats) {
    auto self = job.ranks.find(rank);
    if (self == job.ranks.end()) return;
    // The median of the fresh ranks is at most completed_bound, so the lag is below
    // straggler_min_lag whatever the walk finds; a rank outside an episode (lagging is false,
    // and so straggler_reported) would then be left as it is: skip the walk and the sort.
    if (!self->second.lagging &&
        sat_sub(job.completed_bound, self->second.completed) < config.straggler_min_lag)
      return;
    scratch.clear();
    for (const auto& [other, r] : job.ranks) {
      if (fresh(r, now_ns)) scratch.push_back(r.completed);
    }
    if (scratch.size() < 2) return;
    // Upper median: with two ranks, the one behind the other is measured against it.
    const auto mid = scratch.begin() + static_cast<std::ptrdiff_t>(scratch.size() / 2);
    std::nth_element(scratch.begin(), mid, scratch.end());
    const std::int64_t median = *mid;
    rank_state& r = self->second;
    const std::int64_t lag = sat_sub(median, r.completed);
    if (lag < config.straggler_min_lag) {
      r.lagging = false;
      r.straggler_reported = false;
      return;
    }
    if (!r.lagging) {
      r.lagging = true;
      r.lag_since_ns = now_ns;
      r.lag_observations = 0;
    }
    ++r.lag_observations;
    const std::int64_t lagged_for = sat_sub(now_ns, r.lag_since_ns);
    if (r.straggler_reported || lagged_for < config.straggler_duration_ns) return;
    r.straggler_reported = true;
    DETECTORS_PHASE(emit);
    subject.clear();
    fmt::format_to(std::back_inserter(subject), FMT_COMPILE("{}/rank{}"), job.label, rank);
    message.clear();
    fmt::format_to(std::back_inserter(message), FMT_COMPILE("rank {} of "), rank);
    pg_display(message, job);
    fmt::format_to(
        std::back_inserter(message),
        FMT_COMPILE(" is {} SeqNums behind the job's median completed SeqNum {} for {} s "
                    "(last completed {}, last enqueued {})"),
        lag, median, lagged_for / ns_per_second, r.completed, r.enqueued);
    emit(sink, stats, job.node, severity::warning, "nccl_straggler", r.lag_since_ns, now_ns,
         r.lag_observations, action::observe);
  }

  void open_incident(job_state& job, std::int64_t ts_ns) {
    job.pending.emplace();
    if (!spare_entries.empty()) {
      job.pending->entries = std::move(spare_entries.back());
      spare_entries.pop_back();
    } else {
      job.pending->entries.reserve(std::min(config.max_ranks_per_job, entries_reserve));
    }
    job.pending->first_ns = ts_ns;
    job.pending->last_ns = ts_ns;
    pending_ref& ref = pending.push_back();
    ref.deadline = sat_add(ts_ns, config.timeout_settle_ns);
    ref.key.assign(job.key);
  }

  void add_entry(job_state& job, timed_out_rank entry) {
    incident& inc = *job.pending;
    inc.first_ns = std::min(inc.first_ns, entry.ts_ns);
    inc.last_ns = std::max(inc.last_ns, entry.ts_ns);
    inc.lines += entry.lines;
    for (timed_out_rank& e : inc.entries) {
      if (e.rank == entry.rank && e.seq == entry.seq) {  // the same timeout re-logged
        e.lines += entry.lines;
        return;
      }
    }
    if (inc.entries.size() < config.max_ranks_per_job) inc.entries.push_back(std::move(entry));
  }

  void on_timeout(const event& ev, const nccl_line& l, finding_sink& sink, detector_stats& stats) {
    job_state* claimed = l.tag.has_pg ? nullptr : claimed_job(ev.node, l.tag.rank, l.seq);
    job_state& job = claimed != nullptr ? *claimed : get_job(ev, l.tag, sink, stats);
    job.last_seen_ns = std::max(job.last_seen_ns, ev.ts_ns);
    if (!job.pending) {
      // The dying process re-logging a collective already reported, or a rank that was behind
      // timing out on an earlier collective of the same hang. An untagged line below the
      // reported range may be another PG's timeout whose companion line has yet to claim it.
      const bool untagged = !l.tag.has_pg && claimed == nullptr;
      if (job.timeout_reported && l.seq <= job.reported_seq &&
          (!untagged || l.seq >= job.reported_min_seq) &&
          sat_sub(ev.ts_ns, job.reported_ns) <= config.dedup_window_ns) {
        return;
      }
      open_incident(job, ev.ts_ns);
    }
    timed_out_rank e;
    e.rank = l.tag.rank;
    e.seq = l.seq;
    e.timeout_ms = l.timeout_ms;
    e.ran_ms = l.ran_ms;
    e.ts_ns = ev.ts_ns;
    e.op.assign(l.op);
    e.blocking_wait = l.blocking_wait;
    e.untagged = !l.tag.has_pg && claimed == nullptr;
    add_entry(job, std::move(e));
  }

  // The job of a non-default PG whose companion line named this rank and SeqNum.
  job_state* claimed_job(std::string_view node, std::int64_t rank, std::int64_t seq) {
    for (std::size_t i = claims.size(); i-- > 0;) {
      const claim& c = claims[i];
      if (c.rank == rank && c.seq == seq && c.node == node) {
        auto it = jobs.find(c.key);
        return it == jobs.end() ? nullptr : &it->second;
      }
    }
    return nullptr;
  }

  // A companion line of a non-default PG names the rank and SeqNum of an untagged watchdog
  // line (PyTorch 2.4+ prints the watchdog line with `[Rank R]` only): the timeout belongs to
  // that PG. One already filed under the default job moves; the claim is remembered for the
  // re-logs of the same timeout (the exception's what()) that follow.
  void claim_untagged(const event& ev, const nccl_line& l, job_state& target) {
    if (claimed_job(ev.node, l.tag.rank, l.work_seq) != &target) {
      if (claims.size() >= max_claims) claims.pop_front();
      claim& c = claims.push_back();
      c.ts_ns = ev.ts_ns;
      c.node.assign(ev.node);
      c.rank = l.tag.rank;
      c.seq = l.work_seq;
      c.key.assign(target.key);
    }
    key.assign(ev.node);
    key += '\n';
    key += default_label;
    auto it = jobs.find(key);
    if (it == jobs.end() || !it->second.pending || &it->second == &target) return;
    auto& entries = it->second.pending->entries;
    const auto e = std::find_if(entries.begin(), entries.end(), [&](const timed_out_rank& t) {
      return t.untagged && t.rank == l.tag.rank && t.seq == l.work_seq;
    });
    if (e == entries.end()) return;
    timed_out_rank moved = std::move(*e);
    entries.erase(e);
    it->second.pending->lines -= std::min(it->second.pending->lines, moved.lines);
    if (entries.empty()) close_incident(it->second);
    moved.untagged = false;
    if (!target.pending) open_incident(target, moved.ts_ns);
    add_entry(target, std::move(moved));
  }

  void on_progress(const event& ev, const nccl_line& l, finding_sink& sink, detector_stats& stats) {
    job_state& job = get_job(ev, l.tag, sink, stats);
    if (l.tag.rank < 0) return;  // nothing to attribute the SeqNums to
    std::int64_t completed = l.completed;
    // The work the line is about failed, so it is not completed whatever the counter says
    // (PyTorch has printed uninitialised "last completed" values).
    if (l.work_seq >= 0 && completed >= l.work_seq) completed = l.work_seq - 1;
    update_rank(job, l.tag.rank, l.enqueued, completed, ev.ts_ns, true);
    if (l.tag.has_pg && l.tag.pg_id != 0 && l.work_seq >= 0) claim_untagged(ev, l, job);
    evaluate_straggler(job, l.tag.rank, ev.ts_ns, sink, stats);
  }

  void on_heartbeat(const event& ev, const nccl_line& l, finding_sink& sink,
                    detector_stats& stats) {
    job_state& job = get_job(ev, l.tag, sink, stats);
    if (job.heartbeat_reported && sat_sub(ev.ts_ns, job.heartbeat_ns) < config.dedup_window_ns) {
      return;  // every rank of the node logs it; one report per job and window
    }
    job.heartbeat_reported = true;
    job.heartbeat_ns = ev.ts_ns;
    DETECTORS_PHASE(emit);
    subject.clear();
    fmt::format_to(std::back_inserter(subject), FMT_COMPILE("{}/rank"), job.label);
    if (l.tag.rank >= 0) {
      fmt::format_to(std::back_inserter(subject), FMT_COMPILE("{}"), l.tag.rank);
    } else {
      subject += '?';
    }
    message.clear();
    message += "ProcessGroupNCCL watchdog of ";
    pg_display(message, job);
    if (l.tag.rank >= 0)
      fmt::format_to(std::back_inserter(message), FMT_COMPILE(" rank {}"), l.tag.rank);
    if (l.stuck_s >= 0) {
      fmt::format_to(std::back_inserter(message), FMT_COMPILE(" stuck for {} s"), l.stuck_s);
    } else {
      message += " stopped making progress";
    }
    // Why drain: the watchdog only stalls inside a CUDA/NCCL call (or a GIL deadlock); on a
    // healthy node that is rare, and the process is being killed anyway.
    message += ": heartbeat monitor timed out, process terminated (CUDA/NCCL API hang)";
    emit(sink, stats, job.node, severity::critical, "nccl_heartbeat_timeout", ev.ts_ns, ev.ts_ns, 1,
         action::drain_node);
  }

  void on_net_warn(const event& ev, const nccl_line& l) {
    key.assign(ev.node);
    auto it = nodes.find(key);
    if (it == nodes.end()) {
      if (nodes.size() >= config.max_nodes) {
        evict_oldest(
            nodes, nodes.size() - config.max_nodes * 7 / 8 + 1,
            [](const node_state& n) { return n.last_seen_ns; }, [](node_state&) {});
      }
      it = add_node(key);
    }
    node_state& n = it->second;
    n.last_seen_ns = std::max(n.last_seen_ns, ev.ts_ns);
    // The oldest WARN makes room first, so that the queue never outgrows the cap.
    while (!n.warns.empty() && n.warns.size() >= config.max_network_warns_per_node)
      n.warns.pop_front();
    net_warn& w = n.warns.push_back();
    w.ts_ns = ev.ts_ns;
    w.kind = l.net;
    w.ibv_status = l.ibv_status;
    w.vendor_err = l.vendor_err;
    w.retcode = l.retcode;
    w.peer.assign(l.peer.substr(0, max_peer_chars));
    if (n.warns.size() > config.max_network_warns_per_node) n.warns.pop_front();  // a cap of 0
  }

  node_map::iterator add_node(const std::string& name) {
    if (spare_nodes.empty()) {
      // The queue is sized for the cap when its node is first seen: nodes retired by the sweep
      // are reused by other nodes in any order, and a queue grown one doubling at a time would
      // keep allocating whenever a busier node inherits a smaller one.
      const auto it = nodes.try_emplace(name).first;
      it->second.warns.reserve(config.max_network_warns_per_node);
      return it;
    }
    node_map::node_type node = std::move(spare_nodes.back());
    spare_nodes.pop_back();
    node.key() = name;
    node.mapped().last_seen_ns = 0;  // its WARN queue is empty: it was retired for that
    return nodes.insert(std::move(node)).position;
  }

  void append_net(std::string& out, const net_warn& w, std::int64_t before_ns) const {
    switch (w.kind) {
      case nccl_net_kind::ib_completion:
        fmt::format_to(std::back_inserter(out), FMT_COMPILE("NET/IB completion error status {}"),
                       w.ibv_status);
        if (!internal::ibv_wc_status_name(w.ibv_status).empty()) {
          fmt::format_to(std::back_inserter(out), FMT_COMPILE(" {}"),
                         internal::ibv_wc_status_name(w.ibv_status));
        }
        fmt::format_to(std::back_inserter(out), FMT_COMPILE(" = {}"),
                       internal::ibv_wc_status_meaning(w.ibv_status));
        if (w.vendor_err >= 0) {
          fmt::format_to(std::back_inserter(out), FMT_COMPILE(", vendor err {}"), w.vendor_err);
        }
        break;
      case nccl_net_kind::socket_closed:
        out += "socket connection closed by remote peer";
        if (!w.peer.empty())
          fmt::format_to(std::back_inserter(out), FMT_COMPILE(" {}"), w.peer.view());
        break;
      case nccl_net_kind::proxy:
        out += "NCCL proxy operation failed";
        if (w.retcode >= 0) {
          fmt::format_to(std::back_inserter(out), FMT_COMPILE(" (retcode {}"), w.retcode);
          if (!internal::nccl_result_name(w.retcode).empty()) {
            fmt::format_to(std::back_inserter(out), FMT_COMPILE(" {}"),
                           internal::nccl_result_name(w.retcode));
          }
          out += ')';
        }
        break;
      case nccl_net_kind::ib_async:
        out += "NET/IB async event (port error)";
        break;
    }
    if (!w.peer.empty() && w.kind != nccl_net_kind::socket_closed) {
      fmt::format_to(std::back_inserter(out), FMT_COMPILE(" from peer {}"), w.peer.view());
    }
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(" {} s before the timeout"),
                   before_ns / ns_per_second);
  }

  void flush_job(job_state& job, finding_sink& sink, detector_stats& stats) {
    incident inc = std::move(*job.pending);
    job.pending.reset();
    if (inc.entries.empty()) {
      recycle(inc.entries);
      return;
    }

    // A timeout of SeqNum S says what the rank's watchdog knew: S enqueued, S not completed.
    // A companion line logged around it (within the settle time) is exact and wins.
    for (const timed_out_rank& e : inc.entries) {
      if (e.rank < 0 || e.seq < 0) continue;
      auto it = job.ranks.find(e.rank);
      if (it != job.ranks.end() &&
          it->second.exact_ns >= sat_sub(e.ts_ns, config.timeout_settle_ns)) {
        continue;
      }
      // A rank may have enqueued past the collective that hangs; but a known counter at or
      // beyond S means the values predate a restart of the job (update_rank resets then).
      const bool ahead =
          it != job.ranks.end() && it->second.enqueued > e.seq && it->second.completed < e.seq;
      update_rank(job, e.rank, ahead ? it->second.enqueued : e.seq, e.seq - 1, e.ts_ns, false);
    }

    // The collective to name: the earliest one that timed out.
    const timed_out_rank* rep = &inc.entries.front();
    for (const timed_out_rank& e : inc.entries) {
      if (e.seq < rep->seq || (e.seq == rep->seq && e.ts_ns < rep->ts_ns)) rep = &e;
    }

    // Lagging: the lowest (completed, enqueued): fewest completed, and among equals the one
    // that never enqueued the collective the others wait in. Only ranks heard from around the
    // incident are compared: every local rank of PyTorch >= 2.2 logs its SeqNums then, and
    // older values may describe an earlier incarnation of the job. Ranks known from before
    // that stayed silent (PyTorch < 2.2 logs nothing for a rank stuck outside the collective)
    // are named as suspects instead.
    const std::int64_t heard_since = sat_sub(inc.first_ns, config.timeout_settle_ns);
    std::pair<std::int64_t, std::int64_t> lowest{max_i64, max_i64};
    std::int64_t highest_completed = min_i64;
    std::size_t reporting = 0;
    silent_ranks.clear();
    // A lone timed-out rank (blocking wait) says nothing about its silent peers.
    const bool peers_expected = inc.entries.size() > 1;
    for (const auto& [rank, r] : job.ranks) {
      if (r.updated_ns < heard_since) {
        if (peers_expected && fresh(r, inc.first_ns)) silent_ranks.push_back(rank);
        continue;
      }
      ++reporting;
      lowest = std::min(lowest, std::make_pair(r.completed, r.enqueued));
      highest_completed = std::max(highest_completed, r.completed);
    }
    rank_list.clear();  // the laggards, when some reporting rank is behind another
    for (const auto& [rank, r] : job.ranks) {
      if (r.updated_ns >= heard_since && std::make_pair(r.completed, r.enqueued) == lowest) {
        rank_list.push_back(rank);
      }
    }
    if (rank_list.size() == reporting) rank_list.clear();

    // The network WARN that best explains it: from the window before the collective started
    // up to the first timeout line (later WARNs are the teardown, not the cause).
    const std::int64_t ran_ns =
        rep->ran_ms > config.max_hang_ns / 1'000'000 ? config.max_hang_ns : rep->ran_ms * 1'000'000;
    const std::int64_t window_lo = sat_sub(sat_sub(inc.first_ns, ran_ns), config.network_window_ns);
    const net_warn* cause = nullptr;
    std::size_t warns_in_window = 0;
    if (auto n = nodes.find(job.node); n != nodes.end()) {
      const auto& warns = n->second.warns;
      for (std::size_t i = 0; i < warns.size(); ++i) {
        const net_warn& w = warns[i];
        if (w.ts_ns < window_lo || w.ts_ns > inc.first_ns) continue;
        ++warns_in_window;
        if (cause == nullptr || net_priority(w.kind) < net_priority(cause->kind) ||
            (net_priority(w.kind) == net_priority(cause->kind) && w.ts_ns >= cause->ts_ns)) {
          cause = &w;
        }
      }
    }

    // Subject: the lagging ranks, else the silent ones, else the ranks that timed out.
    DETECTORS_PHASE(emit);
    timed_out_ranks.clear();
    for (const timed_out_rank& e : inc.entries)
      timed_out_ranks.push_back(e.rank);
    std::sort(timed_out_ranks.begin(), timed_out_ranks.end());
    timed_out_ranks.erase(std::unique(timed_out_ranks.begin(), timed_out_ranks.end()),
                          timed_out_ranks.end());
    subject.clear();
    subject += job.label;
    subject += "/rank";
    append_ranks(subject, !rank_list.empty()      ? rank_list
                          : !silent_ranks.empty() ? silent_ranks
                                                  : timed_out_ranks);

    message.clear();
    auto out = std::back_inserter(message);
    message += rep->op.view();
    if (rep->seq >= 0) fmt::format_to(out, FMT_COMPILE(" SeqNum={}"), rep->seq);
    message += " on ";
    pg_display(message, job);
    fmt::format_to(out, FMT_COMPILE(" timed out after {} ms (Timeout(ms)={}{})"), rep->ran_ms,
                   rep->timeout_ms, rep->blocking_wait ? ", blocking wait" : "");
    message += "; timed-out rank(s) ";
    append_ranks(message, timed_out_ranks);
    if (!rank_list.empty()) {
      message += "; lagging rank(s) ";
      append_ranks(message, rank_list);
      if (rep->seq >= 0 && lowest.second < rep->seq) {
        fmt::format_to(out, FMT_COMPILE(" never enqueued SeqNum {}"), rep->seq);
      } else {
        message += " behind the others";
      }
      fmt::format_to(
          out, FMT_COMPILE(" (last enqueued {}, last completed {}; others completed up to {})"),
          lowest.second, lowest.first, highest_completed);
    } else if (reporting > 1) {
      fmt::format_to(out,
                     FMT_COMPILE("; no local rank behind another: all {} at last completed {}"),
                     reporting, lowest.first);
    } else if (reporting == 1) {
      fmt::format_to(out, FMT_COMPILE("; last completed {}, last enqueued {}"), lowest.first,
                     lowest.second);
    } else {
      message += "; no SeqNums known for the job's ranks";
    }
    if (!silent_ranks.empty()) {
      message += "; rank(s) ";
      append_ranks(message, silent_ranks);
      message += " of the job did not report";
    } else if (rank_list.empty()) {
      message += "; the rank holding the collective up is on another node";
    }
    if (cause != nullptr) {
      message += "; network-attributed: ";
      append_net(message, *cause, sat_sub(inc.first_ns, cause->ts_ns));
      if (warns_in_window > 1)
        fmt::format_to(out, FMT_COMPILE(" ({} network WARNs in the window)"), warns_in_window);
    }

    emit(sink, stats, job.node, severity::critical,
         cause != nullptr ? "nccl_timeout_network" : "nccl_timeout",
         cause != nullptr ? std::min(cause->ts_ns, inc.first_ns) : inc.first_ns, inc.last_ns,
         inc.lines, cause != nullptr ? action::check_network : action::observe);

    std::int64_t max_seq = -1;
    std::int64_t min_seq = max_i64;
    for (const timed_out_rank& e : inc.entries) {
      max_seq = std::max(max_seq, e.seq);
      min_seq = std::min(min_seq, e.seq);
    }
    job.timeout_reported = true;
    job.reported_seq = max_seq;
    job.reported_min_seq = min_seq;
    job.reported_ns = inc.last_ns;
    // The watchdog SeqNums are reports of their ranks too.
    for (const std::int64_t rank : timed_out_ranks) {
      if (rank >= 0) evaluate_straggler(job, rank, inc.last_ns, sink, stats);
    }
    recycle(inc.entries);
  }

  // Reports the incidents whose settle time has passed (all of them when `all`).
  void flush_due(finding_sink& sink, detector_stats& stats, bool all) {
    while (!pending.empty() && (all || now >= pending.front().deadline)) {
      const auto it = jobs.find(pending.front().key);
      pending.pop_front();
      // Gone: evicted (and reported then) or claimed by another PG; a newer incident of the
      // job has its own entry further back.
      if (it == jobs.end() || !it->second.pending) continue;
      if (!all && now < sat_add(it->second.pending->first_ns, config.timeout_settle_ns)) continue;
      flush_job(it->second, sink, stats);
    }
  }

  void sweep(finding_sink& sink, detector_stats& stats) {
    next_sweep = sat_add(now, sweep_interval_ns);
    const std::int64_t job_cutoff = sat_sub(now, config.job_idle_ns);
    const std::int64_t rank_cutoff = sat_sub(now, config.rank_stale_ns);
    for (auto it = jobs.begin(); it != jobs.end();) {
      job_state& job = it->second;
      if (job.last_seen_ns < job_cutoff) {
        if (job.pending) flush_job(job, sink, stats);
        it = retire_job(it);
        continue;
      }
      for (auto r = job.ranks.begin(); r != job.ranks.end();)
        r = r->second.updated_ns < rank_cutoff ? drop_rank(job.ranks, r) : std::next(r);
      ++it;
    }
    while (!claims.empty() && claims.front().ts_ns < sat_sub(now, config.dedup_window_ns)) {
      claims.pop_front();
    }
    // WARNs are needed as far back as the longest hang they may explain.
    const std::int64_t warn_cutoff =
        sat_sub(sat_sub(now, config.network_window_ns), config.max_hang_ns);
    for (auto it = nodes.begin(); it != nodes.end();) {
      auto& warns = it->second.warns;
      while (!warns.empty() && warns.front().ts_ns < warn_cutoff)
        warns.pop_front();
      if (!warns.empty()) {
        ++it;
        continue;
      }
      const auto next = std::next(it);
      spare_nodes.push_back(nodes.extract(it));
      it = next;
    }
  }

  std::size_t size() const noexcept {
    std::size_t n = jobs.size() + nodes.size() + claims.size();
    for (const auto& [k, job] : jobs) {
      n += job.ranks.size();
      if (job.pending) n += job.pending->entries.size();
    }
    for (const auto& [k, node] : nodes)
      n += node.warns.size();
    return n;
  }
};

nccl_hang_detector::nccl_hang_detector() : nccl_hang_detector(nccl_hang_config{}) {}

nccl_hang_detector::nccl_hang_detector(const nccl_hang_config& config)
    : state_(std::make_unique<state>(config)),
      clock_(std::max(config.network_window_ns, config.dedup_window_ns)) {}

nccl_hang_detector::~nccl_hang_detector() = default;

const nccl_hang_config& nccl_hang_detector::config() const noexcept {
  return state_->config;
}

void nccl_hang_detector::on_event(const event& ev, finding_sink& sink) {
  ++stats_.events;
  // Phases reject and parse are marked inside the parser. Parsing first is safe: it reads only
  // the line, and the settled incidents and the sweep come before the line's own state work.
  const nccl_line line = internal::parse_nccl_line(ev.line);
  state& s = *state_;
  s.now = std::max(s.now, ev.ts_ns);
  const bool settled = !s.pending.empty() && s.now >= s.pending.front().deadline;
  if (settled || s.now >= s.next_sweep) [[unlikely]] {
    DETECTORS_PHASE(state);
    if (settled) s.flush_due(sink, stats_, false);
    if (s.now >= s.next_sweep) s.sweep(sink, stats_);
  }
  switch (line.kind) {
    case nccl_line_kind::none:
      return;
    case nccl_line_kind::malformed:
      ++stats_.malformed;
      return;
    case nccl_line_kind::benign:  // NCCL INFO, informational PyTorch lines
      ++stats_.recognised;
      return;
    default:
      ++stats_.recognised;
      break;
  }
  DETECTORS_PHASE(state);
  if (clock_.late(ev.node, ev)) [[unlikely]] {
    ++stats_.late;
    return;
  }
  switch (line.kind) {
    case nccl_line_kind::timeout:
      s.on_timeout(ev, line, sink, stats_);
      break;
    case nccl_line_kind::progress:
      s.on_progress(ev, line, sink, stats_);
      break;
    case nccl_line_kind::heartbeat:
      s.on_heartbeat(ev, line, sink, stats_);
      break;
    case nccl_line_kind::net_warn:
      s.on_net_warn(ev, line);
      break;
    default:
      break;
  }
}

void nccl_hang_detector::finish(finding_sink& sink) {
  state_->flush_due(sink, stats_, true);
}

std::size_t nccl_hang_detector::state_size() const noexcept {
  return state_->size();
}

std::unique_ptr<detector> make_nccl_hang_detector() {
  return make_nccl_hang_detector(nccl_hang_config{});
}

std::unique_ptr<detector> make_nccl_hang_detector(const nccl_hang_config& config) {
  return std::make_unique<nccl_hang_detector>(config);
}

}  // namespace detectors
