// The live board of an action day: reads the board's data from the JSON in #op-data's
// data-board attribute, streams the operation's events (server-sent events,
// /api/v1/operations/{id}/events) from the board's last_event_id on and hands each to
// OperationBoard.apply, and shows the stream's state (#op-live): live, or reconnecting.
// EventSource sends Last-Event-ID when it reconnects; events already applied are skipped
// by id. Loaded last (after operations-board.js, -apply.js and -forms.js): starts it all.
(function () {
  "use strict";

  var B = window.OperationBoard;
  var source = null;
  var retryTimer = null;

  function streamUrl() {
    return "/api/v1/operations/" + encodeURIComponent(B.data.operation_id) + "/events?after=" + B.lastId;
  }

  function connect() {
    if (retryTimer) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    if (typeof window.EventSource !== "function") {
      B.setLive("offline", "This browser cannot receive live updates: reload the page to see changes.");
      return;
    }
    B.setLive("connecting", "Connecting to live updates…");
    source = new EventSource(streamUrl());
    source.onopen = function () {
      B.setLive("live", "Live: changes appear as they happen.");
    };
    source.onmessage = function (message) {
      var ev;
      try {
        ev = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      B.apply(ev);
    };
    source.onerror = function () {
      B.setLive("reconnecting", "Reconnecting… (changes made meanwhile will follow)");
      if (source.readyState === EventSource.CLOSED) {
        // the browser gave up (an error answer): find out why, or start again from the
        // last event seen
        source.close();
        probe();
      }
    };
  }

  function probe() {
    fetch("/api/v1/operations/" + encodeURIComponent(B.data.operation_id), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401) {
          B.setLive("offline", "Signed out: reload the page to sign in again.");
        } else if (response.status === 403 || response.status === 404) {
          B.setLive("offline", "This board is no longer open to you (" + response.status + ").");
        } else {
          retryTimer = setTimeout(connect, 3000);
        }
      })
      .catch(function () {
        retryTimer = setTimeout(connect, 3000);
      });
  }

  function showLocalHour() {
    var node = document.getElementById("op-h-local");
    if (!node) {
      return;
    }
    var moment = new Date(node.getAttribute("data-utc"));
    if (isNaN(moment.getTime())) {
      return;
    }
    var format = new Intl.DateTimeFormat(undefined, {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    var zone = format.resolvedOptions().timeZone || "";
    node.textContent = format.format(moment) + (zone ? " (" + zone + ")" : "");
  }

  function start() {
    var root = document.getElementById("op-board");
    var block = document.getElementById("op-data");
    if (!root || !block) {
      return;
    }
    B.root = root;
    B.data = JSON.parse(block.getAttribute("data-board"));
    B.csrf = root.getAttribute("data-csrf") || "";
    B.lastId = Number(B.data.last_event_id) || 0;
    B.data.targets.forEach(function (t) {
      B.targets[t.id] = t;
    });
    B.data.issues.forEach(function (i) {
      B.issues[i.id] = i;
    });
    showLocalHour();
    root.querySelectorAll("#op-target-table tbody tr[data-target]").forEach(function (row) {
      var target = B.targets[row.getAttribute("data-target")];
      if (target) {
        B.renderActions(row, target);
      }
    });
    B.renderIssues();
    root.addEventListener("click", B.onClick);
    root.addEventListener("submit", B.onSubmit);
    document.getElementById("op-filter-country").addEventListener("change", B.applyFilters);
    document.getElementById("op-filter-agency").addEventListener("change", B.applyFilters);
    document.getElementById("op-filters").addEventListener("submit", function (event) {
      event.preventDefault();
    });
    window.addEventListener("pagehide", function () {
      if (source) {
        source.close();
      }
    });
    connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
