// The paths one layer has added, each entry with its parent directories, for the OCI rule that a
// whiteout hides only what lower layers made ("a/b/.wh.c" keeps an "a/b/c" from its own layer).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <unordered_set>

namespace boxtool::output {

// Kept as 64-bit hashes rather than strings, so that a layer of tens of thousands of files costs
// a few hundred KiB instead of several MiB. A collision could only make a whiteout spare a lower
// layer's file (the path would seem to be this layer's): the layer's author could get the same by
// leaving the whiteout out, so nothing is gained by crafting one, and by chance it is negligible.
class LayerPaths {
  public:
    void clear() { hashes_.clear(); }
    // "a/b/c" adds "a", "a/b" and "a/b/c".
    void add_with_parents(std::string_view path) {
        for (std::size_t slash = path.find('/'); slash != std::string_view::npos;
             slash = path.find('/', slash + 1))
            hashes_.insert(hash(path.substr(0, slash)));
        hashes_.insert(hash(path));
    }
    bool contains(std::string_view path) const { return hashes_.count(hash(path)) != 0; }

  private:
    static std::uint64_t hash(std::string_view path) { return std::hash<std::string_view>{}(path); }
    std::unordered_set<std::uint64_t> hashes_;
};

}  // namespace boxtool::output
