-- `make bench` load: members browse and post on the seeded forums (tests/bench/bench_load.py).
--
-- Each wrk connection is a concurrent user; every request picks one of the signed-in members
-- (a session and a CSRF cookie made by the seed) or no one, and a page or a reply:
--   22% a thread, first page      10% a thread, last page     15% a forum page
--   10% the forum index           10% notifications           10% the home page
--   13% an anonymous thread page  10% a reply in a thread (POST, answered 302 to the post)
-- The data file (first script argument) lists "member <session> <csrf>", "thread <id> <path>
-- <last page>" and "forum <path>" lines. Per-kind counts are read back in done().

local members, threads, forums = {}, {}, {}
local thread_list = {}
-- Globals, not locals: done() reads them from each thread with thread:get().
counter, posts, gets = 0, 0, 0

function setup(thread)
   table.insert(thread_list, thread)
   thread:set("id", #thread_list)
end

function init(args)
   for line in io.lines(args[1]) do
      local kind, a, b, c = line:match("^(%S+) (%S+) ?(%S*) ?(%S*)$")
      if kind == "member" then
         table.insert(members, { session = a, csrf = b })
      elseif kind == "thread" then
         table.insert(threads, { id = a, path = b, last = c })
      elseif kind == "forum" then
         table.insert(forums, a)
      end
   end
   math.randomseed(os.time() * 1000 + id)
end

local function cookies(member)
   return { Cookie = "sessionid=" .. member.session .. "; csrftoken=" .. member.csrf }
end

function request()
   counter = counter + 1
   local member = members[math.random(#members)]
   local thread = threads[math.random(#threads)]
   local roll = math.random(100)
   if roll <= 10 then
      posts = posts + 1
      local headers = cookies(member)
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      local body = "csrfmiddlewaretoken=" .. member.csrf .. "&body=Load+test+reply+"
         .. id .. "-" .. counter .. "-" .. math.random(1000000000)
         .. "%3A+we+saw+the+same+in+our+region."
      return wrk.format("POST", "/t/" .. thread.id .. "/reply/", headers, body)
   end
   gets = gets + 1
   if roll <= 32 then
      return wrk.format("GET", thread.path, cookies(member))
   elseif roll <= 42 then
      return wrk.format("GET", thread.path .. "?page=" .. thread.last, cookies(member))
   elseif roll <= 57 then
      return wrk.format("GET", forums[math.random(#forums)], cookies(member))
   elseif roll <= 67 then
      return wrk.format("GET", "/forums/", cookies(member))
   elseif roll <= 77 then
      return wrk.format("GET", "/notifications/", cookies(member))
   elseif roll <= 87 then
      return wrk.format("GET", "/", cookies(member))
   end
   return wrk.format("GET", thread.path)
end

function done(summary, latency, requests)
   local sent_posts, sent_gets = 0, 0
   for _, thread in ipairs(thread_list) do
      sent_posts = sent_posts + thread:get("posts")
      sent_gets = sent_gets + thread:get("gets")
   end
   local errors = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_us=%d gets=%d posts=%d p50_us=%d p95_us=%d p99_us=%d "
         .. "max_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, summary.duration, sent_gets, sent_posts,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
