-- boxtool's built-in registry search order, written as a policy. Without --policy the engine's
-- DefaultPolicy does exactly this; lua_unit_tests proves the two agree on a table of references.
--
-- A qualified reference (ghcr.io/org/app) is pulled from its own registry only. An unqualified one
-- (alpine, myorg/app) is tried on each search registry in order (--registry flags, then the config
-- file's image_registries), then on docker.io as the last resort, each registry once.

local function normalize(host)
  host = string.lower(host)
  if host == "index.docker.io" or host == "registry-1.docker.io" then
    return "docker.io"
  end
  return host
end

function select(ref, ctx)
  if ref.qualified then
    return { { registry = ref.registry, reason = "the reference names its registry" } }
  end
  local out, seen = {}, {}
  local function add(host, reason)
    local h = normalize(host)
    if not seen[h] then
      seen[h] = true
      out[#out + 1] = { registry = h, reason = reason }
    end
  end
  for i, host in ipairs(ctx.registries) do
    add(host, "search registry " .. i .. " of " .. #ctx.registries)
  end
  add("docker.io", "docker.io is the last resort for unqualified references")
  return out
end
