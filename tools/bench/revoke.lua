-- wrk script: every request revokes the next token id of this thread's share of ids.txt with
-- DELETE /tokens/{id}, authenticated by the superuser key in the KEY environment variable.
--
-- The requests are formatted once, in init(), before wrk starts its clock: wrk runs on the same
-- two cores as the server, and formatting each request in Lua as it is sent (wrk.format, a
-- string concatenation, os.getenv) cost wrk about 37 us of CPU per revoke, as much as the
-- server spends deciding and writing it. The bytes sent are the same.
local threads = tonumber(os.getenv("THREADS"))
local key = os.getenv("KEY")
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local requests
local next_index = 1
local exhausted

function init(args)
  requests = {}
  local line_number = 0
  for id in io.lines(os.getenv("IDS")) do
    if line_number % threads == tid then
      requests[#requests + 1] = wrk.format("DELETE", "/tokens/" .. id, { ["Fastly-Key"] = key })
    end
    line_number = line_number + 1
  end
  exhausted = wrk.format("DELETE", "/tokens/exhausted0000000000000", { ["Fastly-Key"] = key })
end

function request()
  local formatted = requests[next_index]
  if formatted == nil then return exhausted end
  next_index = next_index + 1
  return formatted
end
