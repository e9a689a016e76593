-- Mirror first, upstream as the fallback: Docker Hub images come from an internal pull-through
-- cache, and from Docker Hub itself when the mirror is down. Other registries are used directly.
-- The mirror gets only its own credentials: add credentials_from = "docker.io" to trust it with
-- Docker Hub's.

local MIRRORS = {
  ["docker.io"] = "mirror.example.internal",
  ["ghcr.io"] = "ghcr-mirror.example.internal:5000",
}

function select(ref, ctx)
  local upstream = ref.registry or "docker.io"
  local out = {}
  local mirror = MIRRORS[upstream]
  if mirror then
    out[#out + 1] = { registry = mirror, mirror_of = upstream, reason = "internal mirror of " .. upstream }
  end
  out[#out + 1] = { registry = upstream, reason = mirror and "upstream, when the mirror fails" or "no mirror for " .. upstream }
  return out
end
