// Covers walked in parts (cover.hpp): the parts visit exactly the leaves of the
// whole walk, in order, with the same boxes; and the checker's output does not
// depend on its thread count, failures included.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "cover.hpp"
#include "mgdl/check/check.hpp"

using namespace mgdl::check;

namespace {

// A random full binary tree in pre-order over d axes with at most `max_depth` levels.
void random_tree(std::mt19937& rng, int d, int depth, int max_depth, std::string& out) {
  std::uniform_int_distribution<int> coin(0, 99);
  if (depth >= max_depth || coin(rng) < 35) {
    out += '.';
    return;
  }
  out += static_cast<char>('a' + std::uniform_int_distribution<int>(0, d - 1)(rng));
  random_tree(rng, d, depth + 1, max_depth, out);
  random_tree(rng, d, depth + 1, max_depth, out);
}

struct Leaf {
  std::size_t index;
  Box box;
};

bool same_box(const Box& a, const Box& b) {
  if (a.lo.size() != b.lo.size()) return false;
  for (std::size_t i = 0; i < a.lo.size(); ++i)
    if (a.lo[i] != b.lo[i] || a.hi[i] != b.hi[i]) return false;
  return true;
}

}  // namespace

TEST_CASE("the parts of a cover visit its leaves in order, with the boxes of the whole walk") {
  std::mt19937 rng(20261207);
  const CutoffIndex none({});
  for (int trial = 0; trial < 200; ++trial) {
    const int d = 1 + trial % 3;
    std::string tree;
    random_tree(rng, d, 0, 10, tree);
    CAPTURE(tree);
    std::vector<Leaf> whole;
    walk_tree(tree, unit_box(d), none, [&](std::size_t i, const Box& b, const CutoffsOnBox&) {
      whole.push_back({i, b});
    });
    REQUIRE(whole.size() == (tree.size() + 1) / 2);
    for (std::size_t parts : {std::size_t{1}, std::size_t{3}, std::size_t{16}, std::size_t{128}}) {
      CAPTURE(parts);
      const std::vector<CoverPart> cover = split_cover(tree, unit_box(d), none, parts);
      const std::size_t limit = std::max<std::size_t>(1, tree.size() / parts);
      std::vector<Leaf> seen;
      std::size_t next_begin = 0;
      for (const CoverPart& part : cover) {
        // Between two parts lie only the letters of the splits above them.
        REQUIRE(part.begin >= next_begin);
        CHECK(tree.substr(next_begin, part.begin - next_begin).find('.') == std::string::npos);
        CHECK(part.first_leaf == seen.size());
        CHECK((part.end - part.begin <= limit || tree[part.begin] == '.'));
        next_begin = part.end;
        walk_part(tree, part, [&](std::size_t i, const Box& b, const CutoffsOnBox&) {
          seen.push_back({i, b});
        });
      }
      CHECK(next_begin == tree.size());
      REQUIRE(seen.size() == whole.size());
      for (std::size_t i = 0; i < seen.size(); ++i) {
        CHECK(seen[i].index == whole[i].index);
        CHECK(same_box(seen[i].box, whole[i].box));
      }
      if (parts == 1) CHECK(cover.size() == 1);
    }
  }
}

TEST_CASE("for_each_task runs every task once and rethrows a task's exception") {
  for (int threads : {1, 2, 5}) {
    std::vector<std::atomic<int>> runs(37);
    for_each_task(runs.size(), threads, [&](std::size_t t, std::size_t worker) {
      CHECK(worker < static_cast<std::size_t>(threads));
      ++runs[t];
    });
    for (auto& r : runs) CHECK(r.load() == 1);
    CHECK_THROWS_AS(for_each_task(10, threads,
                                  [](std::size_t t, std::size_t) {
                                    if (t == 7) throw std::runtime_error("task 7");
                                  }),
                    std::runtime_error);
  }
}

TEST_CASE("the checker's lines do not depend on its thread count, for genuine and tampered certificates") {
  const std::string dir = std::string(MGDL_SOURCE_DIR) + "/data/certificates/";
  auto load = [](const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
  };
  for (const char* name : {"sin1d", "xy2d", "rules_exp2d", "rules_hat1d"}) {
    CAPTURE(name);
    nlohmann::json cert = load(dir + name + "/certificate.json"), net = load(dir + name + "/network.json");
    // Tampered: the longest sup-norm cover gets an upper bound that every leaf
    // exceeds, so each part has a failing leaf and the first one must be named;
    // and every support fact claims a margin no leaf has.
    nlohmann::json bad = cert;
    nlohmann::json* longest = nullptr;
    for (auto& e : bad["evidence"]["grades"])
      if (longest == nullptr || e["sup_cover"]["tree"].get<std::string>().size() >
                                    (*longest)["sup_cover"]["tree"].get<std::string>().size())
        longest = &e;
    REQUIRE(longest != nullptr);
    const int k = (*longest)["residual"].get<int>();
    (*longest)["sup_cover"]["upper"] = "1/1000000";
    (k == 0 ? bad["initial"] : bad["grades"][k - 1])["sup_norm"]["upper"] = "1/1000000";
    nlohmann::json bad_facts = cert;
    std::string first_fact;  // the name of the fact that must be reported
    for (auto& e : bad_facts["evidence"]["grades"])
      if (e.contains("support_facts"))
        for (auto& f : e["support_facts"]) {
          if (first_fact.empty())
            first_fact =
                f.contains("node")
                    ? "node fact for node " + std::to_string(f["node"].get<int>()) + ": leaf 0 "
                    : "support fact for cutoff " + std::to_string(f["cutoff"].get<int>()) + ": leaf 0 ";
          f["mu"] = "1000";
        }
    auto names = [](const CheckResult& r, const std::string& what) {
      for (const auto& l : r.lines)
        if (l.rfind("FAILED: ", 0) == 0 && l.find(what) != std::string::npos) return true;
      return false;
    };
    CheckOptions one, two, many;
    one.threads = 1;
    two.threads = 2;
    many.threads = 7;
    for (const nlohmann::json* c : {&cert, &bad, &bad_facts}) {
      if (c == &bad_facts && first_fact.empty()) continue;
      const CheckResult r1 = check_certificate(*c, &net, one);
      CHECK(r1.exit_code == (c == &cert ? 0 : 1));
      // Every leaf fails, so the first leaf (of the first fact) is the one named.
      if (c == &bad) CHECK(names(r1, "sup-norm upper: leaf 0 "));
      if (c == &bad_facts) CHECK(names(r1, first_fact));
      CHECK(check_certificate(*c, &net, two).lines == r1.lines);
      CHECK(check_certificate(*c, &net, many).lines == r1.lines);
    }
  }
}
