# A package, so that its modules (tfcheck, conftest, test_terraform) do not
# clash with same-named modules elsewhere under tests/.
