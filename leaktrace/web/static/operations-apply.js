// The live board of an action day: applies one event of the operation's stream to the
// target's row, the country tiles, the map, the counters, the issues and the timeline
// (OperationBoard.apply), and the filters per country and agency. Needs
// operations-board.js before it; the rows' buttons come from operations-forms.js.
(function () {
  "use strict";

  var B = window.OperationBoard;
  var el = B.el;
  var clear = B.clear;
  var label = B.label;

  // --- a target's row ------------------------------------------------------------------

  function checklistList(target) {
    var list = el("ul", { class: "op-checklist" });
    B.data.checklist.forEach(function (pair) {
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
    status.appendChild(B.statusTag(target.status));
    var checklist = row.querySelector(".op-checklist-cell");
    clear(checklist);
    checklist.appendChild(checklistList(target));
    var outcome = row.querySelector(".op-outcome-cell");
    clear(outcome);
    outcomeNodes(target).forEach(function (node) {
      outcome.appendChild(node);
    });
    B.renderActions(row, target);
    filterRow(row);
  }

  function sortRows() {
    if (!B.data.can_coordinate) {
      return;
    }
    var body = document.querySelector("#op-target-table tbody");
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-target]"));
    rows.sort(function (a, b) {
      var ta = B.targets[a.getAttribute("data-target")];
      var tb = B.targets[b.getAttribute("data-target")];
      var ia = ta && ta.open_issues ? 0 : 1;
      var ib = tb && tb.open_issues ? 0 : 1;
      return ia - ib || Number(a.getAttribute("data-target")) - Number(b.getAttribute("data-target"));
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
  }

  // --- country tiles and the map -------------------------------------------------------

  function countsByCountry() {
    var tiles = {};
    Object.keys(B.targets).forEach(function (id) {
      var t = B.targets[id];
      var code = t.country || "??";
      if (!tiles[code]) {
        tiles[code] = { total: 0, by: {} };
        B.data.statuses.forEach(function (s) {
          tiles[code].by[s] = 0;
        });
      }
      tiles[code].total += 1;
      tiles[code].by[t.status] = (tiles[code].by[t.status] || 0) + 1;
    });
    return tiles;
  }

  function tileText(code, tile) {
    var parts = B.data.statuses
      .filter(function (s) { return tile.by[s]; })
      .map(function (s) { return tile.by[s] + " " + label(s); });
    var noun = tile.total === 1 ? "target" : "targets";
    return B.countryName(code) + ": " + tile.total + " " + noun + " (" + parts.join(", ") + ")";
  }

  function renderTiles() {
    var box = document.getElementById("op-tiles");
    var tiles = countsByCountry();
    Object.keys(tiles).forEach(function (code) {
      var tile = tiles[code];
      var state = B.countryState(tile.by);
      var node = box.querySelector('.op-tile[data-country="' + CSS.escape(code) + '"]');
      var fresh = el("div", { class: "op-tile", "data-country": code, "data-state": state }, [
        el("h3", {}, [B.countryName(code) + " ", el("span", { class: "muted", text: code })]),
        el("p", { class: "op-tile-state", text: (B.data.country_states && B.data.country_states[state]) || state }),
        el("p", { class: "op-tile-total", text: tile.total + (tile.total === 1 ? " target" : " targets") }),
        el(
          "ul",
          {},
          B.data.statuses
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

  // --- counters and issues -------------------------------------------------------------

  function renderCounters() {
    var seized = 0;
    var arrests = 0;
    var by = {};
    var total = 0;
    B.data.statuses.forEach(function (s) {
      by[s] = 0;
    });
    Object.keys(B.targets).forEach(function (id) {
      var t = B.targets[id];
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
    var open = Object.keys(B.issues).filter(function (id) { return B.issues[id].open; }).length;
    var values = {
      servers_seized: seized,
      arrests: arrests,
      open_issues: open,
      targets: total,
      by_status: B.data.statuses.map(function (s) { return by[s] + " " + label(s); }).join(", "),
    };
    Object.keys(values).forEach(function (key) {
      var node = document.querySelector('#op-counters [data-counter="' + key + '"]');
      if (node) {
        node.textContent = typeof values[key] === "number" ? values[key].toLocaleString("en") : values[key];
      }
    });
  }

  B.renderIssues = function () {
    var list = document.getElementById("op-issue-list");
    clear(list);
    var all = Object.keys(B.issues).map(function (id) { return B.issues[id]; });
    all.sort(function (a, b) {
      return (a.open ? 0 : 1) - (b.open ? 0 : 1) || a.id - b.id;
    });
    if (!all.length) {
      list.appendChild(el("li", { class: "muted op-none", text: "No issues raised." }));
      return;
    }
    all.forEach(function (issue) {
      var about =
        "raised by " + (issue.raised_by_agency || "operator") + " at " + B.utc(issue.raised_at) +
        (issue.open ? "" : "; resolved at " + B.utc(issue.resolved_at) + (issue.resolution ? ": " + issue.resolution : ""));
      var item = el("li", { "data-issue": issue.id, "data-open": issue.open ? "yes" : "no" }, [
        el("span", { class: "op-issue-state", text: issue.open ? "OPEN" : "resolved" }),
        " ",
        el("span", { class: "op-issue-target", text: issue.target_label }),
        ": ",
        el("span", { class: "op-issue-text", text: issue.text }),
        " ",
        el("span", { class: "note", text: about }),
      ]);
      if (B.mayResolve(issue)) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(
          el("button", { type: "button", class: "op-resolve secondary", "data-issue": issue.id, text: "Resolve" })
        );
      }
      list.appendChild(item);
    });
  };

  // --- the timeline --------------------------------------------------------------------

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
        nodes.push(" ", lbl, " → ", B.statusTag(ev.status));
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
    while (list.children.length > B.MAX_EVENTS) {
      list.removeChild(list.lastChild);
    }
  }

  // --- one event -----------------------------------------------------------------------

  B.apply = function (ev) {
    if (typeof ev.id !== "number" || ev.id <= B.lastId) {
      return; // already shown
    }
    B.lastId = ev.id;
    var hasTarget = ev.target_id !== null && ev.target_id !== undefined;
    var target = hasTarget ? B.targets[ev.target_id] : null;
    if (hasTarget && !target) {
      target = {
        id: ev.target_id,
        kind: ev.kind,
        label: ev.label,
        country: ev.country,
        country_name: ev.country ? B.countryName(ev.country) : null,
        agency: ev.agency,
        status: ev.status || "planned",
        checklist: {},
        outcome: {},
        note: null,
        open_issues: 0,
      };
      B.targets[ev.target_id] = target;
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
      B.issues[ev.issue_id] = {
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
      var issue = B.issues[ev.issue_id];
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
      B.renderIssues();
      sortRows();
    }
    renderTiles();
    renderCounters();
    addTimeline(ev);
    B.root.setAttribute("data-last-event", String(B.lastId));
  };

  // --- filters -------------------------------------------------------------------------

  function filterRow(node) {
    var country = document.getElementById("op-filter-country").value;
    var agency = document.getElementById("op-filter-agency").value;
    var show =
      (!country || node.getAttribute("data-country") === country) &&
      (!agency || node.getAttribute("data-agency") === agency || !node.hasAttribute("data-agency"));
    node.hidden = !show;
  }

  B.applyFilters = function () {
    var country = document.getElementById("op-filter-country").value;
    B.root.querySelectorAll("#op-target-table tbody tr[data-target], #op-events li").forEach(filterRow);
    B.root.querySelectorAll("#op-tiles .op-tile").forEach(function (tile) {
      tile.hidden = !!country && tile.getAttribute("data-country") !== country;
    });
  };

  function addFilterOption(code) {
    var chooser = document.getElementById("op-filter-country");
    if (!chooser.querySelector('option[value="' + CSS.escape(code) + '"]')) {
      chooser.appendChild(el("option", { value: code, text: B.countryName(code) + " (" + code + ")" }));
    }
  }
})();
