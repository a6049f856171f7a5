// The live board of an action day: the buttons and forms of what the viewer's agency may
// do on each target (OperationBoard.renderActions), and their posts to the JSON API
// (/api/v1/operations/...) with the session's CSRF token. Needs operations-board.js
// before it. The API decides: a refused change shows its answer in #op-message.
(function () {
  "use strict";

  var B = window.OperationBoard;
  var el = B.el;
  var label = B.label;

  // --- rendering -----------------------------------------------------------------------

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
    var data = B.data;
    var mine = B.canChange(target);
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

  B.renderActions = function (row, target) {
    var key = [B.canChange(target), target.status, target.agency].join("|");
    if (row.getAttribute("data-actions") === key) {
      return;
    }
    row.setAttribute("data-actions", key);
    var cell = row.querySelector(".op-actions");
    var wasOpen = !!cell.querySelector("details.op-more[open]");
    B.clear(cell);
    actionsFor(target).forEach(function (node) {
      if (wasOpen && node.tagName === "DETAILS") {
        node.open = true; // a change keeps the forms the user has open
      }
      cell.appendChild(node);
      cell.appendChild(document.createTextNode(" "));
    });
  };

  // --- posting ---------------------------------------------------------------------------

  function post(path, body, done) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (B.csrf) {
      headers["X-CSRF-Token"] = B.csrf;
    }
    fetch("/api/v1/operations/" + encodeURIComponent(B.data.operation_id) + path, {
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
              B.message(done, false);
              return;
            }
            var text = answer && answer.error && answer.error.message;
            if (!text && answer && answer.detail) {
              text = typeof answer.detail === "string" ? answer.detail : JSON.stringify(answer.detail);
            }
            B.message("Not done (" + response.status + "): " + (text || response.statusText), true);
          });
      })
      .catch(function () {
        B.message("Not done: the server could not be reached.", true);
      });
  }

  function targetOf(node) {
    var row = node.closest("tr[data-target]");
    return row ? B.targets[row.getAttribute("data-target")] : null;
  }

  B.onClick = function (event) {
    var button = event.target.closest("button");
    if (!button || !B.root.contains(button)) {
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
  };

  function value(form, name) {
    var input = form.elements.namedItem(name);
    return input ? String(input.value || "").trim() : "";
  }

  B.onSubmit = function (event) {
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
  };
})();
