-- Digest-pinned pulls go to a content cache only: a digest names immutable content, so the cache
-- can serve it without asking upstream. Tag pulls always go upstream, where tags are current.
-- The cache candidate is digest_only: boxtool skips it for a tag pull even if it is listed.

local CACHE = "cache.example.internal"

function select(ref, ctx)
  local upstream = ref.registry or "docker.io"
  if ref.digest then
    return { { registry = CACHE, mirror_of = upstream, digest_only = true, reason = "digest-pinned: served by the cache" } }
  end
  return {
    { registry = CACHE, mirror_of = upstream, digest_only = true, reason = "the cache serves digests only" },
    { registry = upstream, reason = "tag pull: upstream knows the current tag" },
  }
end
