"""Reference data for the demo: the programme's partner organizations (docs/domain.md)."""

# (code, name, kind, region code or None)
ORGANIZATIONS = [
    ("chantier", "Chantier de l'économie sociale", "national", None),
    ("cqcm", "Conseil québécois de la coopération et de la mutualité (CQCM)", "national", None),
    ("cdrq", "Coopérative de développement régional du Québec (CDRQ)", "national", None),
    ("consortium", "Consortium de ressources et d'expertises coopératives", "national", None),
    ("pole-03", "Pôle d'économie sociale de la Capitale-Nationale", "regional", "03"),
    ("pole-01", "Pôle d'économie sociale du Bas-Saint-Laurent", "regional", "01"),
    ("pole-17", "Pôle d'économie sociale du Centre-du-Québec", "regional", "17"),
    ("pole-09", "Pôle d'économie sociale de la Côte-Nord", "regional", "09"),
    ("pole-13", "Pôle d'économie sociale de Laval", "regional", "13"),
    ("pole-15", "Pôle d'économie sociale des Laurentides", "regional", "15"),
    ("pole-07", "Pôle d'économie sociale de l'Outaouais", "regional", "07"),
    ("pole-02", "Pôle d'économie sociale du Saguenay–Lac-Saint-Jean", "regional", "02"),
    ("pole-11", "Pôle d'économie sociale de la Gaspésie et des Îles-de-la-Madeleine", "regional", "11"),
    ("pole-longueuil", "Pôle d'économie sociale de l'agglomération de Longueuil", "regional", "16"),
    ("pole-vhsl", "Pôle d'économie sociale de la Vallée-du-Haut-Saint-Laurent", "regional", "16"),
    ("cesim", "Conseil d'économie sociale de l'île de Montréal (CÉSÎM)", "regional", "06"),
    ("cres-08", "Conseil régional d'économie sociale de l'Abitibi-Témiscamingue", "regional", "08"),
    ("cres-04", "Conseil régional d'économie sociale de la Mauricie", "regional", "04"),
    ("reses", "Réseau des entreprises d'économie sociale de l'Estrie", "regional", "05"),
    ("tresl", "Table régionale d'économie sociale de Lanaudière", "regional", "14"),
    ("tresca", "TRESCA (Chaudière-Appalaches)", "regional", "12"),
]

CITIES = {
    "01": ["Rimouski", "Rivière-du-Loup", "Matane", "Amqui"],
    "02": ["Saguenay", "Alma", "Roberval", "Dolbeau-Mistassini"],
    "03": ["Québec", "Lévis", "Baie-Saint-Paul", "Portneuf"],
    "04": ["Trois-Rivières", "Shawinigan", "La Tuque"],
    "05": ["Sherbrooke", "Magog", "Coaticook", "Lac-Mégantic"],
    "06": ["Montréal"],
    "07": ["Gatineau", "Maniwaki", "Papineauville"],
    "08": ["Rouyn-Noranda", "Val-d'Or", "Amos", "La Sarre"],
    "09": ["Baie-Comeau", "Sept-Îles", "Forestville"],
    "10": ["Chibougamau", "Matagami"],
    "11": ["Gaspé", "Carleton-sur-Mer", "Les Îles-de-la-Madeleine"],
    "12": ["Lévis", "Saint-Georges", "Thetford Mines", "Montmagny"],
    "13": ["Laval"],
    "14": ["Joliette", "Terrebonne", "Repentigny"],
    "15": ["Saint-Jérôme", "Mont-Tremblant", "Sainte-Agathe-des-Monts"],
    "16": ["Longueuil", "Saint-Hyacinthe", "Granby", "Salaberry-de-Valleyfield"],
    "17": ["Drummondville", "Victoriaville", "Nicolet"],
}

POSTAL_PREFIX = {
    "01": "G5L", "02": "G7H", "03": "G1R", "04": "G9A", "05": "J1H", "06": "H2X", "07": "J8X",
    "08": "J9X", "09": "G4Z", "10": "G8P", "11": "G4X", "12": "G6V", "13": "H7N", "14": "J6E",
    "15": "J7Z", "16": "J4K", "17": "J2B",
}

NAME_STARTS = {
    "obnl": ["Centre communautaire", "Maison des jeunes", "Cuisine collective", "Ressourcerie",
             "Friperie solidaire", "Centre de la petite enfance", "Théâtre populaire",
             "Corporation de développement", "Entreprise d'insertion", "Café culturel"],
    "coop_work": ["Coopérative de travail", "Coop de travail"],
    "coop_worker_shareholder": ["Coopérative de travailleurs actionnaire"],
    "coop_producer": ["Coopérative agricole", "Coopérative de producteurs"],
    "coop_consumer": ["Coopérative d'alimentation", "Coop funéraire", "Coopérative d'habitation"],
    "coop_solidarity": ["Coopérative de solidarité", "Coop de solidarité santé"],
    "coop_financial": ["Caisse solidaire"],
    "mutual": ["Mutuelle"],
}
NAME_ENDS = ["du Quartier", "des Bâtisseurs", "l'Envolée", "Le Bercail", "La Ruche",
             "des Îles", "Boréale", "du Fleuve", "des Érables", "L'Élan", "Au Cœur du village",
             "La Passerelle", "Le Tremplin", "Horizon", "des Montagnes", "Belle-Rive",
             "Le Marché", "Les Artisans", "Saint-Laurent", "Nord-Sud"]
# (sector code of crm.reference.SECTORS, the activity in the enterprise's words); some say neither.
SECTORS = [("agrifood", "Épicerie coopérative"), ("culture_communications", "Diffusion de spectacles"),
           ("housing", "Logement communautaire"), ("personal_services", "Aide à domicile"),
           ("environment_recovery", "Ressourcerie"), ("leisure_tourism", "Camp de vacances"),
           ("early_childhood", "Centre de la petite enfance"), ("retail", "Friperie"),
           ("agrifood", "Production maraîchère"), ("personal_services", "Services funéraires"),
           ("business_services", "Services informatiques"), ("training_integration", "Entreprise d'insertion"),
           ("media", "Journal communautaire"), ("health", "Coopérative de santé"),
           ("solidarity_finance", "Fonds d'entraide"), ("other", None), (None, None)]
FIRST_NAMES = ["Marie", "Jean", "Sophie", "Mathieu", "Isabelle", "François", "Julie", "Alexandre",
               "Nathalie", "Éric", "Catherine", "Simon", "Geneviève", "Olivier", "Mélanie",
               "Patrick", "Émilie", "Louis", "Chantal", "Samuel", "Amélie", "Karim", "Fatima",
               "David", "Sarah", "Thomas", "Annie", "Maxime", "Josée", "Nadia"]
LAST_NAMES = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
              "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron",
              "Leblanc", "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu",
              "Cloutier", "Dubé", "Poirier", "Fournier", "Nguyen", "Diallo", "Haddad", "Smith"]
TITLES = ["Directrice générale", "Directeur général", "Coordonnatrice", "Coordonnateur",
          "Présidente du conseil", "Responsable des communications", "Adjointe administrative"]
