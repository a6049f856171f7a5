// The live board of an action day (/operations/{id}). A static file: the
// Content-Security-Policy allows scripts from this server only.
//
// - Reads the board's data from the JSON in #op-data's data-board attribute.
// - Streams the operation's events (server-sent events, /api/v1/operations/{id}/events)
//   from the board's last_event_id on, and applies each event to the target's row, the
//   country tiles, the map, the counters, the issues and the timeline. EventSource sends
//   Last-Event-ID when it reconnects; events already applied are skipped by id.
// - Shows the stream's state (#op-live): live, or reconnecting.
// - Renders the buttons and forms of what the viewer's agency may do, which post to the
//   JSON API with the session's CSRF token.
// Every text from users (labels, notes, issues) is set with textContent, never as HTML.
(function () {
  "use strict";

  var root;
  var data;
  var targets = {};
  var issues = {};
  var lastId = 0;
  var source = null;
  var retryTimer = null;
  var csrf = "";
  var MAX_EVENTS = 500;

  // --- small DOM helpers -------------------------------------------------------------

  function el(tag, attrs, children) {
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
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function label(status) {
    return (data.status_labels && data.status_labels[status]) || status;
  }

  function utc(stamp) {
    var text = String(stamp || "");
    return text.slice(0, 10) + " " + text.slice(11, 19) + " UTC";
  }

  function statusTag(status) {
    return el("span", { class: "op-status", "data-status": status, text: label(status) });
  }

  // --- who may do what (the services' rule, for showing buttons only) ----------------

  function canChange(target) {
    if (!data.can_write) {
      return false;
    }
    return data.can_coordinate || (!!target.agency && target.agency === data.viewer_agency);
  }

  function mayResolve(issue) {
    if (!data.may_raise || !issue.open) {
      return false;
    }
    var target = targets[issue.target_id];
    return (
      data.can_coordinate ||
      (!!data.viewer_agency && issue.raised_by_agency === data.viewer_agency) ||
      (!!target && !!target.agency && target.agency === data.viewer_agency)
    );
  }

  // --- the live state line and messages ----------------------------------------------

  function setLive(state, text) {
    var line = document.getElementById("op-live");
    if (line) {
      line.setAttribute("data-state", state);
      line.textContent = text;
    }
  }

  function message(text, bad) {
    var box = document.getElementById("op-message");
    if (!box) {
      return;
    }
    box.textContent = text;
    box.setAttribute("data-kind", bad ? "error" : "ok");
    box.hidden = false;
  }

  // --- rendering -----------------------------------------------------------------------

  function checklistList(target) {
    var list = el("ul", { class: "op-checklist" });
    data.checklist.forEach(function (pair) {
      var key = pair[0];
      var value = target.checklist ? target.checklist[key] : null;
      var done = value !== null && value !== undefined;
      var text = (done ? "✓ " : "○ ") + pair[1] + (done && value ? " (" + value + ")" : "");
      list.appendChild(el("li", { "data-item": key, "data-done": done ? "yes" : "no", text: text }));
    });
    return list;
  }

  function outcomeNodes(target) {
    var out = [];
    var o = target.outcome || {};
    if (o.seized !== undefined) {
      out.push(el("div", { text: "seized: " + o.seized }));
    }
    if (o.arrested !== undefined) {
      out.push(el("div", { text: "arrested: " + o.arrested }));
    }
    if (o.offline !== undefined) {
      out.push(el("div", { text: "offline: " + (o.offline ? "yes" : "no") }));
    }
    if (o.moved_to !== undefined) {
      out.push(el("div", { text: "moved to: " + o.moved_to }));
    }
    if (target.note) {
      out.push(el("div", { class: "note", text: "note: " + target.note }));
    }
    if (target.open_issues) {
      var n = target.open_issues;
      out.push(el("div", { class: "op-issue-count", text: n + " open issue" + (n === 1 ? "" : "s") }));
    }
    return out;
  }

  function field(text, control) {
    return el("label", {}, [text, control]);
  }

  function select(name, options) {
    var node = el("select", { name: name });
    options.forEach(function (option) {
      node.appendChild(el("option", { value: option[0], text: option[1] }));
    });
    return node;
  }

  function actionsFor(target) {
    var nodes = [];
    var mine = canChange(target);
    var allowed = data.next[target.status] || [];
    var next = data.statuses.filter(function (s) { return allowed.indexOf(s) >= 0; });
    if (mine) {
      next.forEach(function (status) {
        nodes.push(
          el("button", {
            type: "button",
            class: "op-move secondary",
            "data-status": status,
            "data-testid": "move-" + status,
            text: "Mark " + label(status),
          })
        );
      });
    }
    if (!(mine || data.may_raise || data.can_coordinate)) {
      return nodes;
    }
    var forms = [];
    if (mine && next.length) {
      forms.push(
        el("form", { class: "op-form stack", "data-action": "status" }, [
          field("Status", select("status", next.map(function (s) { return [s, label(s)]; }))),
          field("Note", el("input", { type: "text", name: "note", maxlength: 2000 })),
          field("Seized (count)", el("input", { type: "number", name: "seized", min: 0, max: 10000 })),
          field("Arrested (count)", el("input", { type: "number", name: "arrested", min: 0, max: 10000 })),
          field("Offline", select("offline", [["", "not said"], ["yes", "yes"], ["no", "no"]])),
          field("Moved to", el("input", { type: "text", name: "moved_to", maxlength: 300 })),
          el("button", { type: "submit", text: "Change status" }),
        ])
      );
    }
    if (mine) {
      forms.push(
        el("form", { class: "op-form stack", "data-action": "checklist" }, [
          field("Checklist item", select("item", data.checklist)),
          field("Reference", el("input", { type: "text", name: "reference", maxlength: 300 })),
          el("label", { class: "op-check" }, [el("input", { type: "checkbox", name: "undo" }), " clear it instead"]),
          el("button", { type: "submit", text: "Tick" }),
        ])
      );
    }
    if (data.can_coordinate) {
      forms.push(
        el("form", { class: "op-form stack", "data-action": "assign" }, [
          field("Agency", select("agency", data.acting_agencies.map(function (a) { return [a, a]; }))),
          el("button", { type: "submit", text: "Assign" }),
        ])
      );
    }
    if (data.may_raise) {
      forms.push(
        el("form", { class: "op-form stack", "data-action": "issues" }, [
          field("Problem", el("input", { type: "text", name: "text", maxlength: 2000, required: true })),
          el("button", { type: "submit", text: "Raise issue" }),
        ])
      );
    }
    nodes.push(el("details", { class: "op-more" }, [el("summary", { text: "More…" })].concat(forms)));
    return nodes;
  }

  function renderActions(row, target) {
    var key = [canChange(target), target.status, target.agency].join("|");
    if (row.getAttribute("data-actions") === key) {
      return;
    }
    row.setAttribute("data-actions", key);
    var cell = row.querySelector(".op-actions");
    var wasOpen = !!cell.querySelector("details.op-more[open]");
    clear(cell);
    actionsFor(target).forEach(function (node) {
      if (wasOpen && node.tagName === "DETAILS") {
        node.open = true; // a change keeps the forms the user has open
      }
      cell.appendChild(node);
      cell.appendChild(document.createTextNode(" "));
    });
  }

  function newRow(target) {
    var what = el("td", { class: "op-what" }, [
      el("span", { class: "tag", text: target.kind }),
      " ",
      el("span", { class: "op-label", text: target.label }),
    ]);
    var country = el("td", { text: target.country_name || target.country || "unknown" });
    var row = el("tr", { id: "target-" + target.id, "data-target": target.id }, [
      el("td", { class: "num", text: target.id }),
      what,
      country,
      el("td", { class: "op-agency" }),
      el("td", { class: "op-status-cell" }),
      el("td", { class: "op-checklist-cell" }),
      el("td", { class: "op-outcome-cell" }),
      el("td", { class: "op-actions" }),
    ]);
    var body = document.querySelector("#op-target-table tbody");
    var empty = body.querySelector("tr.empty");
    if (empty) {
      body.removeChild(empty);
    }
    body.appendChild(row);
    return row;
  }

  function renderRow(target) {
    var row = document.getElementById("target-" + target.id) || newRow(target);
    row.setAttribute("data-country", target.country || "??");
    row.setAttribute("data-agency", target.agency || "-");
    row.setAttribute("data-status", target.status);
    var agency = row.querySelector(".op-agency");
    agency.textContent = target.agency || "unassigned";
    var status = row.querySelector(".op-status-cell");
    clear(status);
    status.appendChild(statusTag(target.status));
    var checklist = row.querySelector(".op-checklist-cell");
    clear(checklist);
    checklist.appendChild(checklistList(target));
    var outcome = row.querySelector(".op-outcome-cell");
    clear(outcome);
    outcomeNodes(target).forEach(function (node) {
      outcome.appendChild(node);
    });
    renderActions(row, target);
    filterRow(row);
  }

  function sortRows() {
    if (!data.can_coordinate) {
      return;
    }
    var body = document.querySelector("#op-target-table tbody");
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-target]"));
    rows.sort(function (a, b) {
      var ta = targets[a.getAttribute("data-target")];
      var tb = targets[b.getAttribute("data-target")];
      var ia = ta && ta.open_issues ? 0 : 1;
      var ib = tb && tb.open_issues ? 0 : 1;
      return ia - ib || Number(a.getAttribute("data-target")) - Number(b.getAttribute("data-target"));
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
  }

  function countsByCountry() {
    var tiles = {};
    Object.keys(targets).forEach(function (id) {
      var t = targets[id];
      var code = t.country || "??";
      if (!tiles[code]) {
        tiles[code] = { total: 0, by: {} };
        data.statuses.forEach(function (s) {
          tiles[code].by[s] = 0;
        });
      }
      tiles[code].total += 1;
      tiles[code].by[t.status] = (tiles[code].by[t.status] || 0) + 1;
    });
    return tiles;
  }

  // the same rule as leaktrace.web.pages.operations.country_state
  function countryState(by) {
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
  }

  function countryName(code) {
    if (code === "??") {
      return "location unknown";
    }
    return (data.countries && data.countries[code]) || code;
  }

  function tileText(code, tile) {
    var parts = data.statuses
      .filter(function (s) { return tile.by[s]; })
      .map(function (s) { return tile.by[s] + " " + label(s); });
    var noun = tile.total === 1 ? "target" : "targets";
    return countryName(code) + ": " + tile.total + " " + noun + " (" + parts.join(", ") + ")";
  }

  function renderTiles() {
    var box = document.getElementById("op-tiles");
    var tiles = countsByCountry();
    Object.keys(tiles).forEach(function (code) {
      var tile = tiles[code];
      var state = countryState(tile.by);
      var node = box.querySelector('.op-tile[data-country="' + CSS.escape(code) + '"]');
      var fresh = el("div", { class: "op-tile", "data-country": code, "data-state": state }, [
        el("h3", {}, [countryName(code) + " ", el("span", { class: "muted", text: code })]),
        el("p", { class: "op-tile-state", text: (data.country_states && data.country_states[state]) || state }),
        el("p", { class: "op-tile-total", text: tile.total + (tile.total === 1 ? " target" : " targets") }),
        el(
          "ul",
          {},
          data.statuses
            .filter(function (s) { return tile.by[s]; })
            .map(function (s) { return el("li", { "data-status": s, text: tile.by[s] + " " + label(s) }); })
        ),
      ]);
      if (node) {
        fresh.hidden = node.hidden;
        box.replaceChild(fresh, node);
      } else {
        box.appendChild(fresh);
        addFilterOption(code);
      }
      if (code === "??") {
        return;
      }
      var path = document.querySelector('#op-map path[data-iso="' + CSS.escape(code) + '"]');
      if (path) {
        path.setAttribute("data-state", state);
        var title = path.querySelector("title");
        if (title) {
          title.textContent = tileText(code, tile);
        }
      }
    });
  }

  function renderCounters() {
    var seized = 0;
    var arrests = 0;
    var by = {};
    var total = 0;
    data.statuses.forEach(function (s) {
      by[s] = 0;
    });
    Object.keys(targets).forEach(function (id) {
      var t = targets[id];
      var o = t.outcome || {};
      total += 1;
      by[t.status] = (by[t.status] || 0) + 1;
      if (o.seized !== undefined) {
        seized += Number(o.seized);
      } else if (t.kind === "server" && t.status === "done") {
        seized += 1;
      }
      if (o.arrested !== undefined) {
        arrests += Number(o.arrested);
      } else if (t.checklist && t.checklist.arrest !== null && t.checklist.arrest !== undefined) {
        arrests += 1;
      }
    });
    var open = Object.keys(issues).filter(function (id) { return issues[id].open; }).length;
    var values = {
      servers_seized: seized,
      arrests: arrests,
      open_issues: open,
      targets: total,
      by_status: data.statuses.map(function (s) { return by[s] + " " + label(s); }).join(", "),
    };
    Object.keys(values).forEach(function (key) {
      var node = document.querySelector('#op-counters [data-counter="' + key + '"]');
      if (node) {
        node.textContent = typeof values[key] === "number" ? values[key].toLocaleString("en") : values[key];
      }
    });
  }

  function renderIssues() {
    var list = document.getElementById("op-issue-list");
    clear(list);
    var all = Object.keys(issues).map(function (id) { return issues[id]; });
    all.sort(function (a, b) {
      return (a.open ? 0 : 1) - (b.open ? 0 : 1) || a.id - b.id;
    });
    if (!all.length) {
      list.appendChild(el("li", { class: "muted op-none", text: "No issues raised." }));
      return;
    }
    all.forEach(function (issue) {
      var about =
        "raised by " + (issue.raised_by_agency || "operator") + " at " + utc(issue.raised_at) +
        (issue.open ? "" : "; resolved at " + utc(issue.resolved_at) + (issue.resolution ? ": " + issue.resolution : ""));
      var item = el("li", { "data-issue": issue.id, "data-open": issue.open ? "yes" : "no" }, [
        el("span", { class: "op-issue-state", text: issue.open ? "OPEN" : "resolved" }),
        " ",
        el("span", { class: "op-issue-target", text: issue.target_label }),
        ": ",
        el("span", { class: "op-issue-text", text: issue.text }),
        " ",
        el("span", { class: "note", text: about }),
      ]);
      if (mayResolve(issue)) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(
          el("button", { type: "button", class: "op-resolve secondary", "data-issue": issue.id, text: "Resolve" })
        );
      }
      list.appendChild(item);
    });
  }

  function eventNodes(ev) {
    var lbl = el("span", { class: "op-event-label", text: ev.label || "" });
    var nodes = [];
    switch (ev.type) {
      case "created":
        nodes.push(" operation planned");
        break;
      case "target":
        nodes.push(" target added: ", lbl,
          " (" + ev.kind + ", " + (ev.country || "country unknown") + ") for " + (ev.agency || "no agency yet"));
        break;
      case "assigned":
        nodes.push(" ", lbl, " assigned to " + ev.agency);
        break;
      case "status":
        nodes.push(" ", lbl, " → ", statusTag(ev.status));
        if (ev.previous) {
          nodes.push(" ", el("span", { class: "muted", text: "(was " + label(ev.previous) + ")" }));
        }
        if (ev.note) {
          nodes.push(" ", el("span", { class: "op-event-note", text: ev.note }));
        }
        break;
      case "checked":
        nodes.push(" ", lbl, ": ");
        if (ev.note === null || ev.note === undefined) {
          nodes.push(ev.item + " cleared");
        } else {
          nodes.push("✓ " + ev.item);
          if (ev.note) {
            nodes.push(" ", el("span", { class: "op-event-note", text: ev.note }));
          }
        }
        break;
      case "issue":
        nodes.push(" issue on ", lbl, ": ", el("span", { class: "op-event-text", text: ev.text || "" }));
        break;
      case "resolved":
        nodes.push(" issue " + ev.issue_id + " on ", lbl, " resolved");
        if (ev.note) {
          nodes.push(": ", el("span", { class: "op-event-note", text: ev.note }));
        }
        break;
      default:
        nodes.push(" ", lbl);
    }
    if (ev.by_agency) {
      nodes.push(" ", el("span", { class: "muted", text: "by " + ev.by_agency }));
    }
    return nodes;
  }

  function addTimeline(ev) {
    var list = document.getElementById("op-events");
    var item = el(
      "li",
      {
        "data-event": ev.id,
        "data-type": ev.type,
        "data-target": ev.target_id === null || ev.target_id === undefined ? "" : ev.target_id,
        "data-country": ev.country || "??",
        "data-agency": ev.agency || "-",
        class: "op-new",
      },
      [el("span", { class: "mono", text: String(ev.at || "").slice(11, 19) }), " ", el("span", { class: "tag", text: ev.type })].concat(
        eventNodes(ev)
      )
    );
    list.insertBefore(item, list.firstChild);
    filterRow(item);
    while (list.children.length > MAX_EVENTS) {
      list.removeChild(list.lastChild);
    }
  }

  // --- events --------------------------------------------------------------------------

  function apply(ev) {
    if (typeof ev.id !== "number" || ev.id <= lastId) {
      return; // already shown
    }
    lastId = ev.id;
    var hasTarget = ev.target_id !== null && ev.target_id !== undefined;
    var target = hasTarget ? targets[ev.target_id] : null;
    if (hasTarget && !target) {
      target = {
        id: ev.target_id,
        kind: ev.kind,
        label: ev.label,
        country: ev.country,
        country_name: ev.country ? countryName(ev.country) : null,
        agency: ev.agency,
        status: ev.status || "planned",
        checklist: {},
        outcome: {},
        note: null,
        open_issues: 0,
      };
      targets[ev.target_id] = target;
    }
    if (target) {
      target.agency = ev.agency === undefined ? target.agency : ev.agency;
      if (ev.status) {
        target.status = ev.status;
      }
    }
    if (ev.type === "status" && target) {
      if (ev.note) {
        target.note = ev.note;
      }
      if (ev.outcome) {
        target.outcome = ev.outcome;
      }
    } else if (ev.type === "checked" && target) {
      target.checklist = target.checklist || {};
      target.checklist[ev.item] = ev.note === undefined ? null : ev.note;
    } else if (ev.type === "issue" && ev.issue_id) {
      issues[ev.issue_id] = {
        id: ev.issue_id,
        target_id: ev.target_id,
        target_label: ev.label,
        text: ev.text,
        raised_by_agency: ev.by_agency,
        raised_at: ev.at,
        resolved_at: null,
        resolution: null,
        open: true,
      };
      if (target) {
        target.open_issues = (target.open_issues || 0) + 1;
      }
    } else if (ev.type === "resolved" && ev.issue_id) {
      var issue = issues[ev.issue_id];
      if (issue && issue.open) {
        issue.open = false;
        issue.resolved_at = ev.at;
        issue.resolution = ev.note;
        if (target && target.open_issues) {
          target.open_issues -= 1;
        }
      }
    }
    if (target) {
      renderRow(target);
    }
    if (ev.type === "issue" || ev.type === "resolved" || ev.type === "assigned") {
      renderIssues();
      sortRows();
    }
    renderTiles();
    renderCounters();
    addTimeline(ev);
    root.setAttribute("data-last-event", String(lastId));
  }

  function streamUrl() {
    return "/api/v1/operations/" + encodeURIComponent(data.operation_id) + "/events?after=" + lastId;
  }

  function connect() {
    if (retryTimer) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    if (typeof window.EventSource !== "function") {
      setLive("offline", "This browser cannot receive live updates: reload the page to see changes.");
      return;
    }
    setLive("connecting", "Connecting to live updates…");
    source = new EventSource(streamUrl());
    source.onopen = function () {
      setLive("live", "Live: changes appear as they happen.");
    };
    source.onmessage = function (message) {
      var ev;
      try {
        ev = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      apply(ev);
    };
    source.onerror = function () {
      setLive("reconnecting", "Reconnecting… (changes made meanwhile will follow)");
      if (source.readyState === EventSource.CLOSED) {
        // the browser gave up (an error answer): find out why, or start again from the
        // last event seen
        source.close();
        probe();
      }
    };
  }

  function probe() {
    fetch("/api/v1/operations/" + encodeURIComponent(data.operation_id), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401) {
          setLive("offline", "Signed out: reload the page to sign in again.");
        } else if (response.status === 403 || response.status === 404) {
          setLive("offline", "This board is no longer open to you (" + response.status + ").");
        } else {
          retryTimer = setTimeout(connect, 3000);
        }
      })
      .catch(function () {
        retryTimer = setTimeout(connect, 3000);
      });
  }

  // --- actions -------------------------------------------------------------------------

  function post(path, body, done) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (csrf) {
      headers["X-CSRF-Token"] = csrf;
    }
    fetch("/api/v1/operations/" + encodeURIComponent(data.operation_id) + path, {
      method: "POST",
      headers: headers,
      credentials: "same-origin",
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (answer) {
            if (response.ok) {
              message(done, false);
              return;
            }
            var text = answer && answer.error && answer.error.message;
            if (!text && answer && answer.detail) {
              text = typeof answer.detail === "string" ? answer.detail : JSON.stringify(answer.detail);
            }
            message("Not done (" + response.status + "): " + (text || response.statusText), true);
          });
      })
      .catch(function () {
        message("Not done: the server could not be reached.", true);
      });
  }

  function targetOf(node) {
    var row = node.closest("tr[data-target]");
    return row ? targets[row.getAttribute("data-target")] : null;
  }

  function onClick(event) {
    var button = event.target.closest("button");
    if (!button || !root.contains(button)) {
      return;
    }
    if (button.classList.contains("op-move")) {
      var target = targetOf(button);
      if (!target) {
        return;
      }
      var status = button.getAttribute("data-status");
      post("/targets/" + target.id + "/status", { status: status },
        target.label + ": " + label(status) + " (sent)");
    } else if (button.classList.contains("op-add-report")) {
      post("/report", {}, "The report was added to the case as evidence.");
    } else if (button.classList.contains("op-resolve")) {
      var id = button.getAttribute("data-issue");
      post("/issues/" + id + "/resolve", {}, "Issue " + id + " resolved (sent)");
    }
  }

  function value(form, name) {
    var input = form.elements.namedItem(name);
    return input ? String(input.value || "").trim() : "";
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("op-form")) {
      return;
    }
    event.preventDefault();
    var target = targetOf(form);
    if (!target) {
      return;
    }
    var action = form.getAttribute("data-action");
    var base = "/targets/" + target.id;
    if (action === "status") {
      var outcome = {};
      if (value(form, "seized")) {
        outcome.seized = Number(value(form, "seized"));
      }
      if (value(form, "arrested")) {
        outcome.arrested = Number(value(form, "arrested"));
      }
      if (value(form, "offline")) {
        outcome.offline = value(form, "offline") === "yes";
      }
      if (value(form, "moved_to")) {
        outcome.moved_to = value(form, "moved_to");
      }
      var body = { status: value(form, "status") };
      if (value(form, "note")) {
        body.note = value(form, "note");
      }
      if (Object.keys(outcome).length) {
        body.outcome = outcome;
      }
      post(base + "/status", body, target.label + ": " + label(body.status) + " (sent)");
    } else if (action === "checklist") {
      var check = { item: value(form, "item"), undo: form.elements.namedItem("undo").checked };
      if (value(form, "reference")) {
        check.reference = value(form, "reference");
      }
      post(base + "/checklist", check, target.label + ": checklist " + check.item + " (sent)");
    } else if (action === "assign") {
      post(base + "/assign", { agency: value(form, "agency") }, target.label + ": assigned (sent)");
    } else if (action === "issues") {
      post(base + "/issues", { text: value(form, "text") }, "Issue raised on " + target.label + " (sent)");
      form.reset();
    }
  }

  // --- filters -------------------------------------------------------------------------

  function filterRow(node) {
    var country = document.getElementById("op-filter-country").value;
    var agency = document.getElementById("op-filter-agency").value;
    var show =
      (!country || node.getAttribute("data-country") === country) &&
      (!agency || node.getAttribute("data-agency") === agency || !node.hasAttribute("data-agency"));
    node.hidden = !show;
  }

  function applyFilters() {
    var country = document.getElementById("op-filter-country").value;
    root.querySelectorAll("#op-target-table tbody tr[data-target], #op-events li").forEach(filterRow);
    root.querySelectorAll("#op-tiles .op-tile").forEach(function (tile) {
      tile.hidden = !!country && tile.getAttribute("data-country") !== country;
    });
  }

  function addFilterOption(code) {
    var chooser = document.getElementById("op-filter-country");
    if (!chooser.querySelector('option[value="' + CSS.escape(code) + '"]')) {
      chooser.appendChild(el("option", { value: code, text: countryName(code) + " (" + code + ")" }));
    }
  }

  // --- start ---------------------------------------------------------------------------

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
    root = document.getElementById("op-board");
    var block = document.getElementById("op-data");
    if (!root || !block) {
      return;
    }
    data = JSON.parse(block.getAttribute("data-board"));
    csrf = root.getAttribute("data-csrf") || "";
    lastId = Number(data.last_event_id) || 0;
    data.targets.forEach(function (t) {
      targets[t.id] = t;
    });
    data.issues.forEach(function (i) {
      issues[i.id] = i;
    });
    showLocalHour();
    root.querySelectorAll("#op-target-table tbody tr[data-target]").forEach(function (row) {
      var target = targets[row.getAttribute("data-target")];
      if (target) {
        renderActions(row, target);
      }
    });
    renderIssues();
    root.addEventListener("click", onClick);
    root.addEventListener("submit", onSubmit);
    document.getElementById("op-filter-country").addEventListener("change", applyFilters);
    document.getElementById("op-filter-agency").addEventListener("change", applyFilters);
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
