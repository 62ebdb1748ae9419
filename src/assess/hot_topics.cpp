#include "assess/hot_topics.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

namespace jiesu::assess {

namespace {

std::string AreaOf(const std::string& category, const domain::Catalogue& catalogue) {
  const domain::Category* top = catalogue.TopLevel(category);
  return top ? top->code : std::string();
}

struct Cluster {
  std::string area;
  std::vector<std::size_t> members;  // indexes into the month's cases; [0] is the seed
};

// One work area's topics so far, with their seeds' bigrams indexed: the seeds a case shares a
// bigram with, and how many it shares, come from the index instead of a comparison with every
// seed (most pairs share nothing, and a month or a consultation has thousands of topics).
struct AreaTopics {
  std::vector<std::size_t> clusters;  // indexes into all clusters, in the order they were seeded
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> seeds_with;  // bigram → positions
  std::vector<std::uint32_t> common;  // per position: bigrams shared with the case at hand
  std::vector<std::uint32_t> touched;

  // The first topic (in seeding order) whose seed `grams` is at least `threshold` alike to (the
  // Jaccard similarity, as SimilarityIfAtLeast); none when there is no such topic.
  std::optional<std::size_t> FirstAlike(const BigramSet& grams,
                                        const std::vector<BigramSet>& all_grams,
                                        const std::vector<Cluster>& all, double threshold) {
    touched.clear();
    for (std::uint32_t g : grams) {
      const auto it = seeds_with.find(g);
      if (it == seeds_with.end()) continue;
      for (std::uint32_t k : it->second) {
        if (common[k]++ == 0) touched.push_back(k);
      }
    }
    std::optional<std::uint32_t> first;
    for (std::uint32_t k : touched) {
      const std::size_t seed_size = all_grams[all[clusters[k]].members.front()].size();
      if (Jaccard(common[k], grams.size(), seed_size) >= threshold && (!first || k < *first)) {
        first = k;
      }
      common[k] = 0;
    }
    if (!first) return std::nullopt;
    return clusters[*first];
  }

  void Seed(std::size_t cluster, const BigramSet& grams) {
    const auto position = static_cast<std::uint32_t>(clusters.size());
    clusters.push_back(cluster);
    common.push_back(0);
    for (std::uint32_t g : grams) seeds_with[g].push_back(position);
  }
};

}  // namespace

HotTopicFinder::HotTopicFinder(const std::vector<TopicCase>& month,
                               const domain::Catalogue& catalogue, const domain::UnitTree& units,
                               const HotTopicRules& rules)
    : catalogue_(catalogue), rules_(rules) {
  std::vector<BigramSet> grams;
  grams.reserve(month.size());
  for (const TopicCase& c : month) grams.push_back(Bigrams(c.title + c.text));

  // Leader clustering within each work area: a case joins the first topic whose seed it is
  // similar enough to, else seeds a new one.
  std::vector<Cluster> clusters;
  std::map<std::string, AreaTopics> by_area;
  for (std::size_t i = 0; i < month.size(); ++i) {
    const std::string area = AreaOf(month[i].category, catalogue);
    AreaTopics& topics = by_area[area];
    if (const auto k = topics.FirstAlike(grams[i], grams, clusters, rules.similarity)) {
      clusters[*k].members.push_back(i);
    } else {
      topics.Seed(clusters.size(), grams[i]);
      clusters.push_back({area, {i}});
    }
  }
  std::erase_if(clusters, [&](const Cluster& c) {
    return static_cast<int>(c.members.size()) < rules.min_count;
  });
  std::stable_sort(clusters.begin(), clusters.end(), [](const Cluster& a, const Cluster& b) {
    return a.members.size() != b.members.size() ? a.members.size() > b.members.size()
                                                : a.members.front() < b.members.front();
  });
  if (static_cast<int>(clusters.size()) > rules.max_topics) clusters.resize(rules.max_topics);

  for (const Cluster& cl : clusters) {
    HotTopic t;
    t.category_code = cl.area;
    if (const domain::Category* c = catalogue.Find(cl.area)) t.category_name = c->name;
    t.count = static_cast<int>(cl.members.size());
    // Central cases first: by mean similarity to the other members. Among the first
    // kCentralityMembers only: the pairs grow with the square of a topic's size, and a city's
    // month has topics of thousands of cases (a review of 10 million cases spent 17 s here).
    constexpr std::size_t kCentralityMembers = 200;
    const std::vector<std::size_t> sample(
        cl.members.begin(),
        cl.members.begin() +
            static_cast<std::ptrdiff_t>(std::min(cl.members.size(), kCentralityMembers)));
    std::vector<std::pair<double, std::size_t>> central;
    for (std::size_t i : sample) {
      double sum = 0;
      for (std::size_t j : sample) {
        if (i != j) sum += Similarity(grams[i], grams[j]);
      }
      central.emplace_back(-sum, i);
    }
    std::sort(central.begin(), central.end());
    t.title = month[central.front().second].title;
    for (const auto& [score, i] : central) {
      if (static_cast<int>(t.examples.size()) < rules.max_examples &&
          std::find(t.examples.begin(), t.examples.end(), month[i].title) == t.examples.end()) {
        t.examples.push_back(month[i].title);
      }
    }
    std::map<std::string, int> per_unit;
    for (std::size_t i : cl.members) {
      t.case_ids.push_back(month[i].id);
      const domain::Unit* township = units.TownshipOf(month[i].unit);
      if (township != nullptr) ++per_unit[township->code];
    }
    for (const auto& [code, n] : per_unit) t.units.push_back({code, units.Find(code)->name, n});
    std::stable_sort(t.units.begin(), t.units.end(),
                     [](const TopicUnit& a, const TopicUnit& b) { return a.count > b.count; });
    topics_.push_back(std::move(t));
    seeds_.push_back(std::move(grams[cl.members.front()]));
  }
}

void HotTopicFinder::AddEarlierMonth(const std::vector<TopicCase>& cases) {
  std::vector<int> like(topics_.size(), 0);
  for (const TopicCase& c : cases) {
    const std::string area = AreaOf(c.category, catalogue_);
    std::optional<BigramSet> grams;  // only for a case in a topic's work area
    for (std::size_t k = 0; k < topics_.size(); ++k) {
      if (topics_[k].category_code != area) continue;
      if (!grams) grams = Bigrams(c.title + c.text);
      like[k] += SimilarityIfAtLeast(seeds_[k], *grams, rules_.similarity) > 0;
    }
  }
  for (std::size_t k = 0; k < topics_.size(); ++k) topics_[k].previous.push_back(like[k]);
}

std::vector<HotTopic> HotTopicFinder::Topics() && {
  for (HotTopic& t : topics_) {
    double sum = 0;
    for (int n : t.previous) sum += n;
    if (sum > 0) t.growth = t.count / (sum / static_cast<double>(t.previous.size())) - 1;
  }
  return std::move(topics_);
}

std::vector<HotTopic> FindHotTopics(const std::vector<TopicCase>& month,
                                    const std::vector<std::vector<TopicCase>>& earlier,
                                    const domain::Catalogue& catalogue,
                                    const domain::UnitTree& units, const HotTopicRules& rules) {
  HotTopicFinder finder(month, catalogue, units, rules);
  for (const auto& cases : earlier) finder.AddEarlierMonth(cases);
  return std::move(finder).Topics();
}

}  // namespace jiesu::assess
