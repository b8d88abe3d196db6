/* Card payment for one booking.
 *
 * New card: our server makes a SetupIntent -> stripe.confirmCardSetup saves the card to it ->
 * our server charges the booking with that card. Saved card: our server charges it directly.
 * If the bank asks for 3-D Secure, stripe.confirmCardPayment shows its challenge. Then the page
 * follows the booking until the payment webhook has marked it paid.
 * This flow works with Stripe's Stripe.js and with the emulator's (which cannot confirm a card
 * payment on an intent that has no payment method yet).
 */
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || typeof window.Stripe !== "function") {
    var err = document.getElementById("pay-error");
    if (err) {
      err.textContent = "The card form could not load. Please check your connection and reload the page.";
      err.hidden = false;
    }
    return;
  }
  var data = form.dataset;
  var stripe = window.Stripe(data.stripeKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");

  var button = document.getElementById("pay-button");
  var errorBox = document.getElementById("pay-error");
  var statusBox = document.getElementById("pay-status");
  var newCard = document.getElementById("new-card");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function choice() {
    var checked = form.querySelector("input[name=card_choice]:checked");
    return checked ? checked.value : "new";
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "card_choice") {
      newCard.hidden = choice() !== "new";
    }
  });

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    statusBox.textContent = "";
    button.disabled = false;
    errorBox.focus && errorBox.setAttribute("tabindex", "-1");
  }

  function say(message) {
    statusBox.textContent = message;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: "Something went wrong on our side. Please try again." };
      }).then(function (json) {
        if (!response.ok && !json.error) {
          json.error = "Something went wrong on our side. Please try again.";
        }
        return json;
      });
    });
  }

  function newCardMethod() {
    var save = document.getElementById("save-card").checked;
    say("Checking your card…");
    return post(data.setupUrl, { save_card: save }).then(function (setup) {
      if (setup.error) { throw new Error(setup.error); }
      return stripe.confirmCardSetup(setup.client_secret, {
        payment_method: { card: card, billing_details: { name: data.name, email: data.email } },
      });
    }).then(function (result) {
      if (result.error) { throw new Error(result.error.message || "Your card could not be checked."); }
      return { setup_intent: result.setupIntent.id };
    });
  }

  function followToPaid(deadline) {
    say("Payment received. Confirming your booking…");
    return fetch(data.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.paid) {
          say("");
          form.hidden = true;
          // The page was an invitation to pay: now it says what happened.
          var title = document.getElementById("pay-title");
          if (title) { title.textContent = "Your session is booked"; }
          document.title = "Your session is booked · FitConnect";
          var hold = document.getElementById("hold-note");
          if (hold) { hold.hidden = true; }
          var done = document.createElement("div");
          done.className = "success";
          done.setAttribute("role", "status");
          done.innerHTML = '<h3 data-testid="paid">Paid</h3><p>Your session is confirmed.</p>';
          var link = document.createElement("a");
          link.href = data.receiptUrl;
          link.className = "button";
          link.textContent = "View your receipt";
          done.appendChild(link);
          var calendar = document.createElement("a");
          calendar.href = data.calendarUrl;
          calendar.className = "button secondary";
          calendar.setAttribute("download", "");
          calendar.textContent = "Add to calendar";
          done.appendChild(document.createTextNode(" "));
          done.appendChild(calendar);
          form.parentNode.appendChild(done);
          link.focus();
          return;
        }
        if (Date.now() > deadline) {
          say("Your payment is still being confirmed. You can leave this page: your sessions list will show it as paid shortly.");
          return;
        }
        return new Promise(function (resolve) { setTimeout(resolve, 1000); })
          .then(function () { return followToPaid(deadline); });
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    var selected = choice();
    var method = selected === "new"
      ? newCardMethod()
      : Promise.resolve({ payment_method: selected });
    method.then(function (body) {
      say("Processing your payment…");
      return post(data.confirmUrl, body);
    }).then(function (attempt) {
      if (attempt.error) { throw new Error(attempt.error); }
      if (attempt.status === "requires_action") {
        say("Your bank asks you to confirm this payment…");
        return stripe.confirmCardPayment(attempt.client_secret).then(function (result) {
          if (result.error) { throw new Error(result.error.message || "Authentication failed."); }
          var status = result.paymentIntent && result.paymentIntent.status;
          if (status === "succeeded" || status === "processing") { return followToPaid(Date.now() + 60000); }
          // The emulator reports a failed challenge this way, without an error.
          throw new Error("Authentication failed. Your card was not charged; please try again or use another card.");
        });
      }
      return followToPaid(Date.now() + 60000);
    }).catch(function (error) {
      showError(error.message || "Your payment did not go through. Please try again.");
    });
  });
})();
