"""Everyday English words that say nothing about *which* question is asked.

People  a sentence of context around their ask ("she's really struggling, honestly it's awful,
can you help?"). A word the knowledge base has never seen normally counts as a sign that the question
is about something else ("laptop", "mileage"), so common words must not: they are treated as generic
(low weight, never a reason to doubt a match). Topic words (places, things, other services) are
deliberately NOT listed here, so "where is the nearest library" still reads as out of scope.
"""
from __future__ import annotations

COMMON_WORDS: frozenset[str] = frozenset("""
online said mention mentions mentioned mentioning christmas xmas easter weekend weekends tuesday wednesday thursday saturday
sunday tues weds thurs fri sat sun jan feb mar apr jun jul aug oct nov dec january february march april june july
august october november december morning mornings
about above across two three six four five seven eight nine ten eleven twelve dozen several min mins minute miles mile distance km side engage engaging engaged hospital case cases caseload town city road street actually after again against ago ahead all almost alone along already alright although always
amazing among amount anyway anyways apparently appreciate around as asap awful awfully away awkward
bad badly basically because become becomes becoming been before behind being believe below beside besides
between beyond big bit bits both bother bothered brief briefly bring brings brought busy but
came can't cannot certainly chance    clear clearly come comes coming  completely
concerned consider considering constantly could couldnt couldn't currently
daily dear definitely despite did didnt didn't difficult does doesn't doing done dont don't down during
each early easily easy either else elsewhere enough entirely especially even evening ever every everybody
everyone everything exact exactly example except expect expected
fact fairly far fast feel feeling feels fell felt few fine first follow following for forward found frankly
friday further
gave generally get gets getting give given gives glad goes going gone good got gotten great guess guys
had hadnt half happen happened happening happens happy hard hardly has hasnt hasn't have havent haven't
having hear heard help hence here hes honest honestly hope hopefully how however huge
idea ideally immediately important in indeed instead interested into isnt isn't issue it its itself
just keen keep keeps kept kind kinda knew know known
large largely last lately later least left less let lets like likely literally little long longer look
looked looking looks lot lots loads lovely
made mainly make makes making many matter maybe mean meaning means meant meanwhile meantime might mind mine
minute minutes mostly moment monday much must
near nearly necessarily need needed needing needs neither next nice nobody normal normally nothing
noticed now nowhere
obviously odd often oh ok okay old once only onto other others otherwise ought ourselves out outright over
own
particularly past perhaps place plain please plenty point possibly pretty probably problem problems proper
properly pull pulled push put
quick quickly quite
rather real realise realised reason reasonable recent recently regular regularly related relevant really
remember right round
said same saturday saw say saying says see seem seemed seems seen send sense serious seriously several
shall she'd shes short should shouldnt shouldn't show showing shown simply since slightly so some somehow
something sometimes somewhat somewhere soon sorry sort sorted sorts speak specific specifically start
still straight strange stuck stuff such suddenly sunday supposed sure surely
take taken takes taking tell than thanks that thats that's the then there theres therefore these they
theyre they're theyve they've thing things think thinking thought though through throughout thursday thus
till today together told tomorrow tonight too took totally towards tried tries truly try trying tuesday
turn turned turning twice
unclear under unfortunately unless unlikely until upon upset urgent urgently use used useful using usual
usually
various very
wait waiting want wanted wanting wants was wasnt wasn't way ways wednesday   well went were
werent weren't weve we've what whatever whats when whenever where whereas wherever whether which while who
whole whom whose why wish wished with within without wonder wondered wondering worried worry worrying
worse worst would wouldnt wouldn't wrong
yeah yep yes yesterday yet youd you'd youll you'll youre you're youve you've
able  accidentally advance advanced affect affected affects afford agreed ahh alot amazing anxious
appropriate arrived asked asking attempt attempts aware
behave behaving believe bloody boring bother bothering bright
calls careful   caught certain chat chats check couple course crazy
deal dealing decent deep different difficulty diff dreadful
easier else emailed emails ended ending entire even events everyday exhausted extra
face faced facing  far fed feeling fight fighting figure finally find finding finish finished
fit fixed forget forgot forward frustrated frustrating fully
getting gonna gotta grateful
hand handle handled happily hassle heads hear helpful hiya hoping 
imagine improve improving including  instead involved
keeping  kinda knows
  learn least   less letting lines  live lost
main manage managed managing massive maybe messages mid  mix  
nearly necessary normal noticed
obvious ongoing open opened opening  others outcome
pass passed patience phone phoned picked pick   pleased poor possible pressure pretty
previous proper pushed
quickly quiet
raised ran reach  ready realistic received refusing regards  replied   return
returned rid ring rough run rushed
  seeing settle settled  simple sitting situation slow sound sounds spoke spoken
stage starting stay stayed step stop stopped story struggle struggled struggles struggling stuck
suggest 
talk talked talking tell terrible text texted thank thinks  tough treat treated treats tricky true
 turns spell spells
understand understood unhappy unsure  upset
various
walk wanted weird whatsoever woke words worked working works  
say says nothing homework
""".split())

# Places people name around an ask ("a school trip to france", "placed in scotland", "moving to birmingham"): they say
# nothing about which question is asked, in lower case as in capitals (a capitalised unknown word after "to / in / at"
# is already read as a place). Without this list a lower-case place was read as a word: stemmed into another one
# ("france" -> "franc"), or "repaired" into a word the knowledge base knows ("paris" -> "parts"). Only names that are
# not also everyday English words ("turkey", "reading", "bath" and the like are left out).
PLACE_NAMES: frozenset[str] = frozenset("""
france spain italy germany portugal greece belgium holland netherlands switzerland austria poland romania bulgaria
hungary croatia iceland norway sweden denmark finland ireland scotland wales england britain europe africa asia
america usa canada australia japan pakistan bangladesh nigeria ghana somalia morocco egypt albania afghanistan
eritrea sudan ukraine russia lithuania latvia brazil jamaica portugal cyprus malta
paris disneyland barcelona madrid rome amsterdam berlin dublin
london birmingham manchester liverpool leeds bristol sheffield newcastle brighton cardiff edinburgh glasgow belfast
oxford cambridge leicester nottingham coventry southampton portsmouth plymouth margate blackpool bournemouth
kent surrey sussex essex devon cornwall yorkshire norfolk suffolk hertfordshire middlesex
wembley croydon enfield barnet ealing hillingdon hounslow camden islington hackney haringey tottenham harrow
""".split())

# Words of other services' and office life's subjects (the matcher's off-topic words and phrases: "logging me out",
# "care proceedings", "mileage"). They are known here only so that a typo in one is read as that word ("loggiing",
# "proceedins") and the question is seen to be about that subject; the knowledge base still does not know them, so
# they still say "not our subject" (they are not everyday words). Measured with the typos faq_robustness puts in.
OTHER_SUBJECTS: frozenset[str] = frozenset("""
weather raining forecast temperature football footballer cricket rugby tennis recycling rubbish litter pothole
potholes parking vaccine vaccination housing landlord library libraries leisure swimming recipe movie lottery
password passwords printer expenses mileage payslip payroll salary passport election evicted eviction allowance
allowances grant grants benefits universal login logins logon username usernames logging logged proceedings
deadline deadlines
""".split())
