// The live board of an action day (/operations/{id}): shared state, DOM helpers and the
// rules the board applies to live updates. Static files, no bundler: the board page loads
// them in this order, all deferred (the Content-Security-Policy allows scripts from this
// server only, and no inline script):
//
//   operations-board.js   this file: window.OperationBoard, the state and helpers
//   operations-apply.js   applies an event to the rows, tiles, map, counters, timeline
//   operations-forms.js   the buttons and forms of what the viewer may do (JSON API posts)
//   operations-stream.js  reads the board's data, streams the events, starts it all
//
// Every text from users (labels, notes, issues) is set with textContent, never as HTML.
(function () {
  "use strict";

  var B = {
    root: null, // #op-board
    data: null, // the board's data (JSON in #op-data's data-board attribute)
    targets: {}, // target id -> target (as the board's JSON and events tell it)
    issues: {}, // issue id -> issue
    lastId: 0, // the last event applied
    csrf: "",
    MAX_EVENTS: 500,
  };
  window.OperationBoard = B;

  // --- small DOM helpers -------------------------------------------------------------

  B.el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (key === "text") {
        node.textContent = String(value);
      } else {
        node.setAttribute(key, value === true ? "" : String(value));
      }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) {
        return;
      }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  };

  B.clear = function (node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  };

  B.label = function (status) {
    return (B.data && B.data.status_labels && B.data.status_labels[status]) || status;
  };

  B.utc = function (stamp) {
    var text = String(stamp || "");
    return text.slice(0, 10) + " " + text.slice(11, 19) + " UTC";
  };

  B.statusTag = function (status) {
    return B.el("span", { class: "op-status", "data-status": status, text: B.label(status) });
  };

  B.countryName = function (code) {
    if (code === "??") {
      return "location unknown";
    }
    return (B.data && B.data.countries && B.data.countries[code]) || code;
  };

  // --- rules, for live updates between page loads ------------------------------------

  // A country's state from its targets by status. MIRRORS the server's rule,
  // leaktrace.operations.model.country_state (the page shows the server's state on load,
  // each tile's in data.tile_states; this recomputes it on live updates):
  // tests/web/browser/test_operation_board_browser.py checks that both agree, for every
  // mix of statuses and on a live board against a reloaded one. Change both together.
  // "failed" when any failed; else "in-progress" when any is under way (or some are over
  // and others not); else "go" when any is cleared to go, "planned" when all are planned;
  // once all are over, "done" if any is done, else "aborted".
  B.countryState = function (by) {
    var final = (by.done || 0) + (by.failed || 0) + (by.aborted || 0);
    var open = (by.planned || 0) + (by.go || 0) + (by["in-progress"] || 0);
    if (by.failed) {
      return "failed";
    }
    if (by["in-progress"] || (final && open)) {
      return "in-progress";
    }
    if (open) {
      return by.go ? "go" : "planned";
    }
    return by.done ? "done" : "aborted";
  };

  // Who may do what, for showing buttons only (the services decide: the API refuses
  // anything else). may_write, may_raise and can_coordinate are the server's board's.
  B.canChange = function (target) {
    if (!B.data.may_write) {
      return false;
    }
    return B.data.can_coordinate || (!!target.agency && target.agency === B.data.viewer_agency);
  };

  B.mayResolve = function (issue) {
    if (!B.data.may_raise || !issue.open) {
      return false;
    }
    var target = B.targets[issue.target_id];
    return (
      B.data.can_coordinate ||
      (!!B.data.viewer_agency && issue.raised_by_agency === B.data.viewer_agency) ||
      (!!target && !!target.agency && target.agency === B.data.viewer_agency)
    );
  };

  // --- the live state line and messages ----------------------------------------------

  B.setLive = function (state, text) {
    var line = document.getElementById("op-live");
    if (line) {
      line.setAttribute("data-state", state);
      line.textContent = text;
    }
  };

  B.message = function (text, bad) {
    var box = document.getElementById("op-message");
    if (!box) {
      return;
    }
    box.textContent = text;
    box.setAttribute("data-kind", bad ? "error" : "ok");
    box.hidden = false;
  };
})();
