/**
 * The shopper-facing strings, per language. Shared by the hosted page (server-rendered) and the
 * widgets (bundled into /widget.js), so both say the same thing. `{name}` placeholders are filled
 * by `t`. Add a language by adding a dictionary with every key of `en`.
 */
const en = {
	title: "Launch",
	poweredBy: "Fair launches by fanfare-edge",
	loading: "Loading…",
	noScript: "This page needs JavaScript to hold your place.",
	// queue
	queueJoin: "Join the queue",
	queuePosition: "Your position",
	queueAhead: "People ahead of you",
	queueEta: "Estimated wait",
	queueProgress: "Progress through the line",
	queueDontRefresh: "Don't refresh — you keep your place, even if you close this tab.",
	queuePreQueue: "The queue opens in {time}.",
	queueNotOpenYet: "Keep this page open: you will join the line by yourself when it opens.",
	queueShuffle:
		"Everyone who arrives before the opening is put in a random order when it opens, so arriving early gives no advantage over arriving on time.",
	queueAdmitted: "It's your turn!",
	queueRedirect: "Taking you to checkout in {seconds} s…",
	queueGrantValid: "Your place at checkout is held for {time}.",
	queueCheckoutNow: "Go to checkout now",
	queueSoldOut: "Sold out. Everything has gone — you keep your place in case of a restock.",
	queueSoldOutNew: "Sold out: everything has gone. Follow the store for a restock.",
	queueClosed: "This queue is closed.",
	queueDenied: "Your place was declined by the store.",
	queueExpired: "Your admission expired before checkout. You can join the queue again if it is still open.",
	queueLeft: "You left the queue.",
	queueCompleted: "You completed your purchase. Thank you!",
	otherTab: "You're already waiting in another tab. Keep that tab open; this one holds no second place.",
	minutes: "{n} min",
	seconds: "{n} s",
	live: "Live updates",
	polling: "Updating every few seconds",
	// draw
	drawEnter: "Enter the draw",
	drawEntered: "You're in the draw.",
	drawReceipt: "Your receipt",
	drawCountdown: "The draw takes place in {time}.",
	drawAwaitingBeacon: "Entries are sealed; waiting for the public randomness beacon.",
	drawWon: "You won! Check out before {time}.",
	drawLost: "Not this time: you were not drawn.",
	drawCheckout: "Check out",
	drawVerifyTitle: "Verify this draw",
	drawVerifyIntro:
		"Your browser checks the draw itself, from public material and your receipt: no one's word is needed.",
	drawVerifyButton: "Verify this draw",
	drawVerified: "VERIFIED",
	drawNotVerified: "NOT VERIFIED",
	drawDevChain: "Drawn on a local development beacon: the checks pass, but prove nothing to the public.",
	drawNotDrawn: "The draw has not taken place yet.",
	// auction
	auctionPrice: "Current price",
	auctionNoBids: "No bids yet",
	auctionMinimum: "Minimum next bid",
	auctionBids: "Bids",
	auctionCloses: "Closes in {time}",
	auctionAmount: "Your bid",
	auctionMax: "Your maximum (optional)",
	auctionBid: "Place bid",
	auctionBuyNow: "Buy now for {price}",
	auctionRules:
		"Bid at least the minimum next bid. With a maximum, we bid for you, one step at a time, only as far as needed to keep you ahead; your maximum stays sealed until the auction is settled. A bid in the last minutes extends the closing time (soft close), so no one can snipe.",
	auctionWinning: "You are the highest bidder.",
	auctionOutbid: "You have been outbid.",
	auctionExtended: "A late bid extended the auction: it now closes at {time}.",
	auctionWon: "You won at {price}!",
	auctionLost: "The auction is over; you did not win.",
	auctionReserve: "Reserve not met yet",
	auctionClosed: "The auction is closed.",
	error: "Something went wrong: {message}",
	// access codes and challenges
	accessCode: "Access code",
	accessCodeHelp: "This launch is by invitation: enter the code you were given.",
	accessCodeSubmit: "Continue",
	challengeWorking: "Checking this browser… (a few seconds of work, so bots pay for every try)",
};

export type Strings = typeof en;
export type StringKey = keyof Strings;

const de: Strings = {
	title: "Verkaufsstart",
	poweredBy: "Faire Verkaufsstarts mit fanfare-edge",
	loading: "Wird geladen…",
	noScript: "Diese Seite braucht JavaScript, um Ihren Platz zu halten.",
	queueJoin: "In die Warteschlange",
	queuePosition: "Ihre Position",
	queueAhead: "Personen vor Ihnen",
	queueEta: "Geschätzte Wartezeit",
	queueProgress: "Fortschritt in der Warteschlange",
	queueDontRefresh: "Nicht neu laden — Sie behalten Ihren Platz, auch wenn Sie diesen Tab schließen.",
	queuePreQueue: "Die Warteschlange öffnet in {time}.",
	queueShuffle:
		"Wer vor der Öffnung ankommt, wird bei der Öffnung zufällig gereiht: früh zu kommen bringt keinen Vorteil gegenüber pünktlich.",
	queueAdmitted: "Sie sind an der Reihe!",
	queueRedirect: "Weiter zur Kasse in {seconds} s…",
	queueGrantValid: "Ihr Platz an der Kasse ist noch {time} reserviert.",
	queueCheckoutNow: "Jetzt zur Kasse",
	queueSoldOut: "Ausverkauft. Sie behalten Ihren Platz für den Fall einer Nachlieferung.",
	queueNotOpenYet: "Lassen Sie diese Seite offen: Sie stellen sich automatisch an, sobald sie öffnet.",
	queueSoldOutNew: "Ausverkauft: alles ist weg. Folgen Sie dem Shop für eine Nachlieferung.",
	queueClosed: "Diese Warteschlange ist geschlossen.",
	queueDenied: "Ihr Platz wurde vom Shop abgelehnt.",
	queueExpired: "Ihre Zulassung ist vor dem Kauf abgelaufen. Sie können sich erneut anstellen, solange geöffnet ist.",
	queueLeft: "Sie haben die Warteschlange verlassen.",
	queueCompleted: "Ihr Kauf ist abgeschlossen. Danke!",
	otherTab: "Sie warten bereits in einem anderen Tab. Lassen Sie ihn offen; dieser Tab hält keinen zweiten Platz.",
	minutes: "{n} Min.",
	seconds: "{n} s",
	live: "Live-Aktualisierung",
	polling: "Aktualisierung alle paar Sekunden",
	drawEnter: "An der Verlosung teilnehmen",
	drawEntered: "Sie nehmen an der Verlosung teil.",
	drawReceipt: "Ihre Quittung",
	drawCountdown: "Die Verlosung findet in {time} statt.",
	drawAwaitingBeacon: "Die Teilnahmen sind versiegelt; wir warten auf den öffentlichen Zufallswert.",
	drawWon: "Gewonnen! Bitte kaufen Sie bis {time}.",
	drawLost: "Diesmal nicht: Sie wurden nicht gezogen.",
	drawCheckout: "Zur Kasse",
	drawVerifyTitle: "Diese Verlosung prüfen",
	drawVerifyIntro:
		"Ihr Browser prüft die Verlosung selbst, mit öffentlichen Daten und Ihrer Quittung: Sie müssen niemandem glauben.",
	drawVerifyButton: "Diese Verlosung prüfen",
	drawVerified: "VERIFIZIERT",
	drawNotVerified: "NICHT VERIFIZIERT",
	drawDevChain:
		"Mit einem lokalen Entwicklungs-Zufallsgeber gezogen: die Prüfungen bestehen, beweisen öffentlich aber nichts.",
	drawNotDrawn: "Die Verlosung hat noch nicht stattgefunden.",
	auctionPrice: "Aktueller Preis",
	auctionNoBids: "Noch keine Gebote",
	auctionMinimum: "Mindestgebot",
	auctionBids: "Gebote",
	auctionCloses: "Endet in {time}",
	auctionAmount: "Ihr Gebot",
	auctionMax: "Ihr Höchstgebot (optional)",
	auctionBid: "Bieten",
	auctionBuyNow: "Sofort kaufen für {price}",
	auctionRules:
		"Bieten Sie mindestens das Mindestgebot. Mit einem Höchstgebot bieten wir schrittweise für Sie, nur so weit wie nötig; es bleibt bis zur Abrechnung versiegelt. Ein Gebot in den letzten Minuten verlängert die Auktion (Soft Close).",
	auctionWinning: "Sie sind Höchstbietender.",
	auctionOutbid: "Sie wurden überboten.",
	auctionExtended: "Ein spätes Gebot hat die Auktion verlängert: sie endet jetzt um {time}.",
	auctionWon: "Gewonnen für {price}!",
	auctionLost: "Die Auktion ist vorbei; Sie haben nicht gewonnen.",
	auctionReserve: "Mindestpreis noch nicht erreicht",
	auctionClosed: "Die Auktion ist geschlossen.",
	error: "Etwas ist schiefgelaufen: {message}",
	accessCode: "Zugangscode",
	accessCodeHelp: "Dieser Verkaufsstart ist nur mit Einladung: Geben Sie Ihren Code ein.",
	accessCodeSubmit: "Weiter",
	challengeWorking:
		"Dieser Browser wird geprüft… (ein paar Sekunden Rechenarbeit, damit Bots für jeden Versuch zahlen)",
};

const fr: Strings = {
	...en,
	title: "Lancement",
	queuePosition: "Votre position",
	queueAhead: "Personnes devant vous",
	queueEta: "Attente estimée",
	queueDontRefresh: "N'actualisez pas — vous gardez votre place, même en fermant cet onglet.",
	queueAdmitted: "C'est votre tour !",
	otherTab: "Vous attendez déjà dans un autre onglet.",
	accessCode: "Code d'accès",
	accessCodeHelp: "Ce lancement est sur invitation : saisissez le code reçu.",
	accessCodeSubmit: "Continuer",
};

export const LANGUAGES = { en, de, fr } as const;
export type Lang = keyof typeof LANGUAGES;

/** The first supported language of `?lang=` or an Accept-Language header (`de-CH,de;q=0.9,en;q=0.8`), else en. */
export function pickLang(...prefs: (string | null | undefined)[]): Lang {
	for (const pref of prefs) {
		if (!pref) continue;
		const tags = pref
			.split(",")
			.map((part) => {
				const [tag = "", q] = part.trim().split(";q=");
				return { tag: tag.toLowerCase().split("-")[0] ?? "", q: q === undefined ? 1 : Number(q) };
			})
			.filter((x) => x.q > 0)
			.sort((a, b) => b.q - a.q);
		for (const { tag } of tags) if (tag in LANGUAGES) return tag as Lang;
	}
	return "en";
}

export function strings(lang: string | null | undefined): Strings {
	return LANGUAGES[(lang && lang in LANGUAGES ? lang : "en") as Lang];
}

export function t(s: Strings, key: StringKey, vars: Record<string, string | number> = {}): string {
	return s[key].replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** `4 min` or `35 s`; hours and days as h:mm:ss. */
export function duration(s: Strings, totalSeconds: number): string {
	const secs = Math.max(0, Math.round(totalSeconds));
	if (secs < 90) return t(s, "seconds", { n: secs });
	if (secs < 3600) return t(s, "minutes", { n: Math.round(secs / 60) });
	const h = Math.floor(secs / 3600);
	const m = Math.floor((secs % 3600) / 60);
	return `${h}:${String(m).padStart(2, "0")}:${String(secs % 60).padStart(2, "0")}`;
}
