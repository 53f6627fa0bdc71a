# Repères — commandes courantes. Tout s'installe dans .venv/ à la racine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe
# Zensical dans son propre environnement (requirements-zensical.txt, versions figées).
ZVENV := .venv-zensical
ZSTAMP := $(ZVENV)/.installe

.PHONY: install test test-fast check schema bench clean serve build new codeowners pre-commit zensical zensical-install

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(ZSTAMP): requirements-zensical.txt
	$(PYTHON) -m venv $(ZVENV)
	$(ZVENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-zensical.txt
	touch $(ZSTAMP)

zensical-install: $(ZSTAMP)

# Tout : tests navigateur (Chromium) et constructions complètes compris.
test: $(STAMP) $(ZSTAMP)
	$(BIN)/ruff check generator tests
	$(BIN)/python -m pytest

# Pendant le développement (≤ 60 s) : sans les tests navigateur ni les tests lents.
test-fast: $(STAMP)
	$(BIN)/ruff check generator tests
	$(BIN)/python -m pytest -m "not browser and not slow"

# make check ; make check FICHIERS="schemes/aej.yml" ; make check BASE=origin/main (comme la pull request)
check: $(STAMP)
	$(BIN)/reperes check $(if $(BASE),--base $(BASE)) $(FICHIERS)

# make new TYPE=dispositif ID=aide-exemple [SITE=site-…] : une fiche valide, chaque champ commenté
new: $(STAMP)
	$(BIN)/reperes new $(TYPE) $(ID) $(if $(SITE),--site $(SITE))

codeowners: $(STAMP)
	$(BIN)/reperes codeowners

# Vérification des fiches avant chaque commit, et de la ligne « Pourquoi: » du message.
pre-commit: $(STAMP)
	$(BIN)/pre-commit install --hook-type pre-commit --hook-type commit-msg

schema: $(STAMP)
	$(BIN)/reperes schema

# Banc d'essai complet (100, 1 000 et 3 000 dispositifs ; plusieurs dizaines de minutes).
# Plus court : make bench TAILLES=100,1000 (ou TAILLES=100).
TAILLES ?= 100,1000,3000
bench: $(STAMP) $(ZSTAMP)
	$(BIN)/python tests/bench/bench.py --tailles $(TAILLES)

clean:
	rm -rf $(VENV) $(ZVENV) site build .pytest_cache

# Sert le site sur http://127.0.0.1:8000 ; les pages sont régénérées quand une fiche change.
# --dirty : après la première construction, seules les pages modifiées sont reconstruites
# (la navigation ne liste que les sections : les autres pages restent justes).
serve: $(STAMP)
	$(BIN)/reperes build
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/reperes build

# Le même site construit par Zensical : mêmes vérifications et pages (reperes), puis
# Zensical, puis l'analyse du site construit ; en cas d'échec, site/ reste en place.
zensical: $(STAMP) $(ZSTAMP)
	$(BIN)/reperes build --moteur zensical
