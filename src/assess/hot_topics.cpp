#include "assess/hot_topics.hpp"

#include <algorithm>
#include <map>

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
  std::map<std::string, std::vector<std::size_t>> by_area;  // area → cluster indexes
  for (std::size_t i = 0; i < month.size(); ++i) {
    const std::string area = AreaOf(month[i].category, catalogue);
    auto& list = by_area[area];
    bool joined = false;
    for (std::size_t k : list) {
      if (SimilarityIfAtLeast(grams[i], grams[clusters[k].members.front()], rules.similarity) > 0) {
        clusters[k].members.push_back(i);
        joined = true;
        break;
      }
    }
    if (!joined) {
      list.push_back(clusters.size());
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
